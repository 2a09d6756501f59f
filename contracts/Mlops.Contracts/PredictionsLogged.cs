namespace Mlops.Contracts;

/// <summary>Serving committed a batch of predictions to the inference log (serving.inference_log, column log_batch_id).</summary>
public record PredictionsLogged
{
    /// <summary>The log batch: rows carry it in log_batch_id.</summary>
    public Guid BatchId { get; init; }

    /// <summary>The model served, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod.</summary>
    public string Environment { get; init; } = "";

    /// <summary>The serving instance.</summary>
    public string Principal { get; init; } = "";

    public int RowCount { get; init; }

    public DateTimeOffset FirstServedAt { get; init; }

    public DateTimeOffset LastServedAt { get; init; }
}
