using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Consumers;
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
        builder.Services.AddSingleton<DataQualityChecks>();
        builder.Services.AddHostedService<BundledFeatureTables>();
        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<RefreshFeaturesConsumer>();
            bus.AddConsumer<PublishOnlineFeaturesConsumer>();
        });
        // The consumer only records the step; the worker computes, a few at a time since each holds a connection while PostgreSQL computes.
        builder.AddMlopsStep<RefreshFeatures, RefreshFeaturesStep>(RefreshFeaturesStep.Name,
            provider => provider.GetRequiredService<IOptions<FeatureRefreshOptions>>().Value.ConcurrentRefreshes);
        return builder;
    }
}
