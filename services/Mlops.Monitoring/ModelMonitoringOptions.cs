namespace Mlops.Monitoring;

/// <summary>
/// How a model's windows are judged. Every value is optional: a model's own options override the defaults, which override
/// the seed (<see cref="MonitoringPolicy"/>); threshold dictionaries override metric by metric.
/// </summary>
public sealed class ModelMonitoringOptions
{
    /// <summary>Fewer values than this in a window (rows, finite values of a feature, labelled rows) and the metric is not judged.</summary>
    public int? MinimumRows { get; set; }

    /// <summary>k of "k of the last n judged windows, the latest among them".</summary>
    public int? ConfirmationBreaches { get; set; }

    /// <summary>n of "k of the last n judged windows, the latest among them".</summary>
    public int? ConfirmationWindows { get; set; }

    /// <summary>Per drift metric of a feature (psi, ks, js_distance, wasserstein, wasserstein_normalized, tvd, null_rate): a value above breaches.</summary>
    public Dictionary<string, double> FeatureThresholds { get; set; } = [];

    /// <summary>Per drift metric of the prediction distribution: a value above breaches.</summary>
    public Dictionary<string, double> PredictionThresholds { get; set; } = [];

    /// <summary>Per performance metric (accuracy, auc): a drop below the training baseline larger than this breaches.</summary>
    public Dictionary<string, double> PerformanceDropThresholds { get; set; } = [];

    /// <summary>Serving latency: a window p99 above this many milliseconds breaches.</summary>
    public double? LatencyP99Milliseconds { get; set; }

    /// <summary>Which feature metrics raise DriftDetected when confirmed (each needs a threshold).</summary>
    public string[]? FeatureDriftMetrics { get; set; }

    /// <summary>Which prediction metrics raise DriftDetected when confirmed (each needs a threshold).</summary>
    public string[]? PredictionDriftMetrics { get; set; }

    /// <summary>The score at or above which a prediction counts as positive for accuracy.</summary>
    public double? DecisionThreshold { get; set; }
}
