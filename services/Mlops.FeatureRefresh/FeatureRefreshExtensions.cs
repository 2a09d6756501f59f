using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Consumers;
using Mlops.FeatureRefresh.Definitions;
using Mlops.Simulator;
using Mlops.Catalog.Features;
using Mlops.FeatureRefresh.Refresh;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Steps;

namespace Mlops.FeatureRefresh;

public static class FeatureRefreshExtensions
{
    /// <summary>Everything the feature refresh service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddFeatureRefreshService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.Services.AddOptions<FeatureRefreshOptions>().BindConfiguration(FeatureRefreshOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IFeatureDefinition, ChurnFeatureDefinition>());
        builder.Services.AddSingleton<FeatureDefinitions>();
        builder.Services.AddSingleton<DataQualityChecks>();
        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<RefreshFeaturesConsumer>();
            bus.AddConsumer<PublishOnlineFeaturesConsumer>();
        });
        // The consumer only records the step; the worker computes, a few at a time since each holds a whole batch in memory.
        builder.AddMlopsStep<RefreshFeatures, RefreshFeaturesStep>(RefreshFeaturesStep.Name,
            provider => provider.GetRequiredService<IOptions<FeatureRefreshOptions>>().Value.ConcurrentRefreshes);
        return builder;
    }
}
