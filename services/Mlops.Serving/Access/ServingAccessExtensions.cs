namespace Mlops.Serving.Access;

public static class ServingAccessExtensions
{
    /// <summary>The caller check on the serving endpoints (<see cref="CallerCheck"/>) and what it needs.</summary>
    public static IServiceCollection AddServingAccess(this IServiceCollection services)
    {
        services.AddOptions<ServingAccessOptions>().BindConfiguration(ServingAccessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TokenCache>();
        services.AddSingleton<ProductionReadAudit>();
        services.AddSingleton<CallerCheck>();
        return services;
    }
}
