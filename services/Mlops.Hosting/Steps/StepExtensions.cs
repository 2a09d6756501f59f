using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mlops.Hosting.Steps;

public static class StepExtensions
{
    /// <summary>
    /// Runs <typeparamref name="THandler"/> for the leases of <paramref name="step"/> in a background worker of this service;
    /// the command's consumer records them with <see cref="StepStarter"/>. Call after AddMlopsMessaging: hosts stop in
    /// reverse order, so the worker gives its leases back before the outbox dispatcher and the bus stop.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsStep<TCommand, THandler>(this IHostApplicationBuilder builder, string step,
        Func<IServiceProvider, int> concurrency)
        where TCommand : class
        where THandler : class, IStepHandler<TCommand>
    {
        builder.Services.AddOptions<StepOptions>().BindConfiguration(StepOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StepOptions>, StepOptionsValidator>());
        builder.Services.TryAddSingleton<StepLeaseStore>();
        builder.Services.TryAddSingleton<StepSignal>();
        builder.Services.TryAddSingleton<StepStarter>();
        builder.Services.AddScoped<IStepHandler<TCommand>, THandler>();
        builder.Services.AddSingleton(provider => new StepRegistration<TCommand>(step, concurrency(provider)));
        builder.Services.AddHostedService<StepWorker<TCommand>>();
        return builder;
    }
}
