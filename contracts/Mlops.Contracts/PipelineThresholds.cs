namespace Mlops.Contracts;

/// <summary>
/// The thresholds a run's environment sets for its steps (Pipeline:Environments:&lt;env&gt;:Thresholds). Unset values leave the
/// deciding service's own defaults; a service's setting for the model itself still wins.
/// </summary>
public record PipelineThresholds
{
    /// <summary>The metric promotion decides on: auc, accuracy, f1, log_loss, precision or recall.</summary>
    public string? Metric { get; init; }

    /// <summary>How much better than the champion a challenger must be.</summary>
    public double? MinimumDelta { get; init; }

    /// <summary>What a first version must reach when there is no champion.</summary>
    public double? BaselineThreshold { get; init; }

    /// <summary>Compliance's metric floors, merged over its defaults metric by metric.</summary>
    public IReadOnlyDictionary<string, double> MetricFloors { get; init; } = new Dictionary<string, double>();
}
