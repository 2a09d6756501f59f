using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mlops.Hosting.Telemetry;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Evaluation;

/// <summary>
/// The latest evaluated window's value of every metric (PSI, KS, JS, Wasserstein, null rate per feature; the prediction's
/// drift; accuracy, AUC and latency of the model) per model and version, as one observable gauge of this host. A window
/// evaluated again replaces its values; an older window never replaces a newer one.
/// </summary>
public sealed class MonitoringMetrics
{
    private readonly ConcurrentDictionary<(string Model, int Version, string SubjectKind, string Subject, string Metric), (DateTimeOffset WindowStart, double Value)> _latest = new();

    public MonitoringMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MlopsTelemetry.Name);
        meter.CreateObservableGauge("mlops.monitoring.value", Observe, null,
            "The latest window's value of each monitoring metric, per model, version, subject (a feature, the prediction or the model) and metric.");
    }

    /// <summary>Call once the window's results are committed.</summary>
    public void Record(WindowKey window, IEnumerable<MetricResult> results)
    {
        foreach (var result in results)
        {
            if (result.Value is not { } value || !double.IsFinite(value))
                continue;
            var entry = (window.Window.Start, value);
            _latest.AddOrUpdate((window.ModelName, window.Version, result.SubjectKind, result.Subject, result.Metric), entry,
                (_, existing) => existing.WindowStart > window.Window.Start ? existing : entry);
        }
    }

    private IEnumerable<Measurement<double>> Observe() => _latest.Select(pair => new Measurement<double>(pair.Value.Value,
        new KeyValuePair<string, object?>(MlopsTelemetry.ModelTag, pair.Key.Model),
        new KeyValuePair<string, object?>(MlopsTelemetry.ModelVersionTag, pair.Key.Version),
        new KeyValuePair<string, object?>("mlops.subject_kind", pair.Key.SubjectKind),
        new KeyValuePair<string, object?>("mlops.subject", pair.Key.Subject),
        new KeyValuePair<string, object?>("mlops.metric", pair.Key.Metric)));
}
