namespace Mlops.Contracts;

/// <summary>An upstream pipeline wrote a batch of raw rows into a landing table.</summary>
public record RawDataLanded
{
    /// <summary>The environment the data belongs to.</summary>
    public string Environment { get; init; } = "";

    /// <summary>The producing pipeline.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The batch's id: rows carry it in their batch_id column.</summary>
    public Guid BatchId { get; init; }

    /// <summary>The landing table, schema.table (e.g. raw.churn_customers).</summary>
    public string SourceTable { get; init; } = "";

    /// <summary>Rows in the batch.</summary>
    public long RowCount { get; init; }

    /// <summary>When the batch was committed.</summary>
    public DateTimeOffset LandedAt { get; init; }
}
