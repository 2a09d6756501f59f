using System.Collections.Frozen;
using System.Globalization;
using Mlops.Monitoring.Drift;
using Mlops.Monitoring.Evaluation;

namespace Mlops.Monitoring;

/// <summary>
/// How one model's windows are judged, resolved from the seed, the configured defaults and the model's overrides: which
/// metric breaches at which value, how many values a window needs to be judged at all, which breaches raise which alert,
/// and the confirmation rule (a breach in k of the last n judged windows, the latest among them).
/// </summary>
public sealed record MonitoringPolicy(
    int MinimumRows,
    int ConfirmationBreaches,
    int ConfirmationWindows,
    IReadOnlyDictionary<string, double> FeatureThresholds,
    IReadOnlyDictionary<string, double> PredictionThresholds,
    IReadOnlyDictionary<string, double> PerformanceDropThresholds,
    double? LatencyP99Milliseconds,
    IReadOnlySet<string> FeatureDriftMetrics,
    IReadOnlySet<string> PredictionDriftMetrics,
    double DecisionThreshold)
{
    /// <summary>The seed defaults: data drift PSI &gt; 0.2, null rate &gt; 0.05, prediction TVD &gt; 0.10, accuracy drop &gt; 0.05, latency p99 &gt; 200 ms.</summary>
    public static readonly MonitoringPolicy Seed = new(
        MinimumRows: 100,
        ConfirmationBreaches: 2,
        ConfirmationWindows: 5,
        FeatureThresholds: new Dictionary<string, double> { [DriftMetric.Psi] = 0.2, [DriftMetric.NullRate] = 0.05 },
        PredictionThresholds: new Dictionary<string, double> { [DriftMetric.TotalVariation] = 0.10 },
        PerformanceDropThresholds: new Dictionary<string, double> { [DriftMetric.Accuracy] = 0.05 },
        LatencyP99Milliseconds: 200,
        FeatureDriftMetrics: new HashSet<string> { DriftMetric.Psi },
        PredictionDriftMetrics: new HashSet<string> { DriftMetric.TotalVariation },
        DecisionThreshold: 0.5);

    /// <summary>Metrics a threshold can be set on for features and for the prediction.</summary>
    public static readonly FrozenSet<string> DistributionMetrics = new[]
    {
        DriftMetric.Psi, DriftMetric.KolmogorovSmirnov, DriftMetric.JensenShannon, DriftMetric.Wasserstein, DriftMetric.NormalizedWasserstein,
        DriftMetric.TotalVariation, DriftMetric.NullRate,
    }.ToFrozenSet();

    public static readonly FrozenSet<string> PerformanceMetrics = new[] { DriftMetric.Accuracy, DriftMetric.Auc }.ToFrozenSet();

    public static MonitoringPolicy Resolve(ModelMonitoringOptions defaults, ModelMonitoringOptions? model) => new(
        model?.MinimumRows ?? defaults.MinimumRows ?? Seed.MinimumRows,
        model?.ConfirmationBreaches ?? defaults.ConfirmationBreaches ?? Seed.ConfirmationBreaches,
        model?.ConfirmationWindows ?? defaults.ConfirmationWindows ?? Seed.ConfirmationWindows,
        Layer(Seed.FeatureThresholds, defaults.FeatureThresholds, model?.FeatureThresholds),
        Layer(Seed.PredictionThresholds, defaults.PredictionThresholds, model?.PredictionThresholds),
        Layer(Seed.PerformanceDropThresholds, defaults.PerformanceDropThresholds, model?.PerformanceDropThresholds),
        model?.LatencyP99Milliseconds ?? defaults.LatencyP99Milliseconds ?? Seed.LatencyP99Milliseconds,
        (model?.FeatureDriftMetrics ?? defaults.FeatureDriftMetrics)?.ToHashSet(StringComparer.Ordinal) ?? Seed.FeatureDriftMetrics,
        (model?.PredictionDriftMetrics ?? defaults.PredictionDriftMetrics)?.ToHashSet(StringComparer.Ordinal) ?? Seed.PredictionDriftMetrics,
        model?.DecisionThreshold ?? defaults.DecisionThreshold ?? Seed.DecisionThreshold);

    public double? ThresholdOf(string subjectKind, string metric) => subjectKind switch
    {
        SubjectKinds.Feature => Find(FeatureThresholds, metric),
        SubjectKinds.Prediction => Find(PredictionThresholds, metric),
        SubjectKinds.Model when metric == DriftMetric.LatencyP99 => LatencyP99Milliseconds,
        SubjectKinds.Model => Find(PerformanceDropThresholds, metric),
        _ => null,
    };

    /// <summary>The alert a confirmed breach of this metric opens; null when a breach is only recorded (metrics not chosen for alerts).</summary>
    public string? AlertKindOf(string subjectKind, string metric) => (subjectKind, metric) switch
    {
        (SubjectKinds.Feature, DriftMetric.NullRate) => AlertKinds.DataQuality,
        (SubjectKinds.Feature, _) when FeatureDriftMetrics.Contains(metric) => AlertKinds.Drift,
        (SubjectKinds.Prediction, _) when PredictionDriftMetrics.Contains(metric) => AlertKinds.Drift,
        (SubjectKinds.Model, DriftMetric.Accuracy or DriftMetric.Auc) => AlertKinds.Performance,
        (SubjectKinds.Model, DriftMetric.LatencyP99) => AlertKinds.Latency,
        _ => null,
    };

    /// <summary>Confirmed when the latest judged window breaches and at least k of the last n do (<paramref name="newestFirst"/>: breached flags of judged windows, newest first).</summary>
    public bool IsConfirmed(IReadOnlyList<bool> newestFirst) =>
        newestFirst.Count > 0 && newestFirst[0] && newestFirst.Take(ConfirmationWindows).Count(breached => breached) >= ConfirmationBreaches;

    public MetricResult Judge(string subjectKind, string subject, DriftMeasurement measurement)
    {
        var threshold = ThresholdOf(subjectKind, measurement.Metric);
        var result = new MetricResult
        {
            SubjectKind = subjectKind, Subject = subject, Metric = measurement.Metric, Status = ResultStatus.Measured,
            Value = measurement.IsComputed && double.IsFinite(measurement.Value) ? measurement.Value : null,
            Threshold = threshold, Baseline = measurement.Baseline, PValue = measurement.PValue, Method = measurement.Method,
            SampleSize = measurement.SampleSize,
        };

        if (result.Value is not { } value)
            return result with { Status = ResultStatus.NotComputable, Reason = measurement.Reason ?? "the value is not finite" };
        if (measurement.SampleSize < MinimumRows)
            return result with { Status = ResultStatus.TooFewRows, Reason = $"{measurement.SampleSize} values, fewer than the minimum of {MinimumRows}" };
        if (threshold is not { } limit)
            return result;

        if (subjectKind == SubjectKinds.Model && PerformanceMetrics.Contains(measurement.Metric))
        {
            if (measurement.Baseline is not { } baseline)
                return result with { Reason = $"training recorded no baseline {measurement.Metric} to compare with" };
            var drop = baseline - value;
            return drop > limit
                ? result with { Status = ResultStatus.Breached, Reason = $"{measurement.Metric} {F(value)} is {F(drop)} below the baseline {F(baseline)}, more than {F(limit)}" }
                : result with { Status = ResultStatus.Ok };
        }

        return value > limit
            ? result with { Status = ResultStatus.Breached, Reason = $"{measurement.Metric} {F(value)} is above {F(limit)}" }
            : result with { Status = ResultStatus.Ok };
    }

    private static double? Find(IReadOnlyDictionary<string, double> thresholds, string metric) =>
        thresholds.TryGetValue(metric, out var threshold) ? threshold : null;

    private static Dictionary<string, double> Layer(params IReadOnlyDictionary<string, double>?[] layers)
    {
        var merged = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var layer in layers)
            foreach (var (metric, threshold) in layer ?? new Dictionary<string, double>())
                merged[metric] = threshold;
        return merged;
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
