using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mlops.Catalog;
using Mlops.FeatureRefresh.Consumers;
using Mlops.FeatureRefresh.Definitions;
using Mlops.Simulator;
using Mlops.Catalog.Features;
using Mlops.FeatureRefresh.Refresh;
using Mlops.Hosting.Messaging;

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
        builder.AddMlopsMessaging(bus => bus.AddConsumer<RefreshFeaturesConsumer, RefreshFeaturesConsumerDefinition>());
        return builder;
    }
}
