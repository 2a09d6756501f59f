namespace Mlops.Contracts;

/// <summary>Once labels arrived, a model's accuracy or AUC fell too far below its training baseline.</summary>
public record ModelPerformanceDegraded
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

    /// <summary>accuracy or auc.</summary>
    public string Metric { get; init; } = "";

    /// <summary>The metric at training time (validation split).</summary>
    public double Baseline { get; init; }

    public double Value { get; init; }

    /// <summary>Baseline minus value.</summary>
    public double Drop { get; init; }

    public double Threshold { get; init; }

    public int LabeledRows { get; init; }

    public DateTimeOffset WindowStart { get; init; }

    public DateTimeOffset WindowEnd { get; init; }
}
