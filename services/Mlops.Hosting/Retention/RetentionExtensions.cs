using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Hosting.Retention;

public static class RetentionExtensions
{
    /// <summary>Registers a rule with the retention service (added once, whatever the number of rules).</summary>
    public static IServiceCollection AddMlopsRetentionRule(this IServiceCollection services, RetentionRule rule)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section);
        if (!services.Any(x => x.ServiceType == typeof(RetentionService)))
        {
            services.AddSingleton<RetentionService>();
            services.AddHostedService(provider => provider.GetRequiredService<RetentionService>());
        }
        services.AddSingleton(rule);
        return services;
    }
}
