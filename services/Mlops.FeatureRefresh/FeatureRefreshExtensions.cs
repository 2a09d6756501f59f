using Mlops.Catalog;
using Mlops.Hosting.Messaging;

namespace Mlops.FeatureRefresh;

public static class FeatureRefreshExtensions
{
    /// <summary>Everything the feature refresh service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddFeatureRefreshService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.AddMlopsMessaging(bus =>
        {
        });
        return builder;
    }
}
