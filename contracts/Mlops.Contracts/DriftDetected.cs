namespace Mlops.Contracts;

/// <summary>A feature's (or the predictions') distribution drifted past its threshold, confirmed over several windows.</summary>
public record DriftDetected
{
    /// <summary>The monitoring alert this event opens.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod.</summary>
    public string Environment { get; init; } = "";

    /// <summary>The monitoring service.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version whose reference the window was compared with.</summary>
    public int ModelVersion { get; init; }

    /// <summary>The feature, or "prediction".</summary>
    public string Feature { get; init; } = "";

    /// <summary>The drift metric that breached, as monitoring names it: psi (features, by default), tvd (the prediction, by default), or any configured ks, js_distance, wasserstein, wasserstein_normalized.</summary>
    public string Metric { get; init; } = "";

    public double Value { get; init; }

    public double Threshold { get; init; }

    public DateTimeOffset WindowStart { get; init; }

    public DateTimeOffset WindowEnd { get; init; }

    /// <summary>Of the last <see cref="WindowsConsidered"/> windows, how many breached the threshold.</summary>
    public int WindowsBreached { get; init; }

    public int WindowsConsidered { get; init; }
}
