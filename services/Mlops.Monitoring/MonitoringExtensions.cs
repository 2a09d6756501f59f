using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring.Consumers;

namespace Mlops.Monitoring;

public static class MonitoringExtensions
{
    /// <summary>Everything the monitoring service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddMonitoringService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.Services.AddMlopsMigrations(typeof(MonitoringExtensions).Assembly);
        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<CaptureReferenceProfileConsumer>();
        });
        return builder;
    }
}
