using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Retention;
using Mlops.Monitoring.Consumers;
using Mlops.Monitoring.Evaluation;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring;

public static class MonitoringExtensions
{
    /// <summary>Everything the monitoring service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddMonitoringService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MonitoringOptions>, MonitoringOptionsValidator>();

        builder.Services.AddMlopsCatalog();
        builder.Services.AddMlopsMigrations(typeof(MonitoringExtensions).Assembly);
        builder.Services.AddMlopsRetentionRule(MonitoringRetention.GroundTruth).AddMlopsRetentionRule(MonitoringRetention.ProcessedBatches);

        builder.Services.AddSingleton<ReferenceCache>();
        builder.Services.AddSingleton<LoggedPredictions>();
        builder.Services.AddSingleton<WindowStore>();
        builder.Services.AddSingleton<PredictionIngestion>();
        builder.Services.AddSingleton<GroundTruth>();
        builder.Services.AddSingleton<MetricResults>();
        builder.Services.AddSingleton<Alerts>();
        builder.Services.AddSingleton<ModelEvaluator>();
        builder.Services.AddSingleton<MonitoringMetrics>();

        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<CaptureReferenceProfileConsumer>();
            bus.AddConsumer<PredictionsLoggedConsumer>();
            bus.AddConsumer<GroundTruthLandedConsumer>();
            bus.AddConsumer<MonitorModelConsumer>();
        });

        // Registered after the bus and the outbox dispatcher, so it stops before them: its last evaluation's events still go out.
        builder.Services.AddHostedService<ScheduledEvaluation>();
        return builder;
    }
}
