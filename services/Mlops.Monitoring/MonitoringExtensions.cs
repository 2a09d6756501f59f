using Mlops.Catalog;
using Mlops.Hosting.Messaging;

namespace Mlops.Monitoring;

public static class MonitoringExtensions
{
    /// <summary>Everything the monitoring service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddMonitoringService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.AddMlopsMessaging(bus =>
        {
        });
        return builder;
    }
}
