using Mlops.Contracts;

namespace Mlops.Orchestrator.Configuration;

/// <summary>
/// Pipeline:Environments:&lt;env&gt;:Thresholds: what a run in that environment must reach. The orchestrator carries them on its
/// commands (EvaluateChallenger, CheckCompliance); the deciding services apply them over their own defaults, and a setting
/// they have for the model itself (Promotion:Models, Compliance:Models) still wins.
/// </summary>
public sealed class PipelineThresholdOptions
{
    /// <summary>The metric promotion decides on: auc, accuracy, f1, log_loss, precision or recall.</summary>
    public string? Metric { get; set; }

    /// <summary>How much better than the champion a challenger must be (at least 0).</summary>
    public double? MinimumDelta { get; set; }

    /// <summary>What a first version must reach when there is no champion (at least 0).</summary>
    public double? BaselineThreshold { get; set; }

    /// <summary>Compliance's metric floors by metric, merged over its defaults.</summary>
    public Dictionary<string, double> MetricFloors { get; set; } = [];

    public PipelineThresholds ToMessage() => new()
    {
        Metric = Metric, MinimumDelta = MinimumDelta, BaselineThreshold = BaselineThreshold, MetricFloors = new Dictionary<string, double>(MetricFloors),
    };
}
