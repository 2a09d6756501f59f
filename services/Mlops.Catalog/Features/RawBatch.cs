namespace Mlops.Catalog.Features;

/// <summary>A registered raw batch; <see cref="Environment"/> is the one environment whose runs may read it (null: landed before environments).</summary>
public sealed record RawBatch(Guid BatchId, string SourceTable, long RowCount, string Producer, string? Description, DateTime LandedAt, string? Environment = null);
