namespace Mlops.Contracts;

/// <summary>A model's serving latency p99 stayed above its threshold, confirmed over several windows (seed: scale up the endpoint).</summary>
public record LatencyBreached
{
    /// <summary>The monitoring alert this event opens.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod.</summary>
    public string Environment { get; init; } = "";

    /// <summary>The monitoring service.</summary>
    public string Principal { get; init; } = "";

    public int ModelVersion { get; init; }

    /// <summary>The latest window's p99, in milliseconds.</summary>
    public double P99Milliseconds { get; init; }

    public double ThresholdMilliseconds { get; init; }

    public DateTimeOffset WindowStart { get; init; }

    public DateTimeOffset WindowEnd { get; init; }

    /// <summary>Of the last <see cref="WindowsConsidered"/> windows, how many breached the threshold.</summary>
    public int WindowsBreached { get; init; }

    public int WindowsConsidered { get; init; }
}
