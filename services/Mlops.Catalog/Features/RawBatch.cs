namespace Mlops.Catalog.Features;

public sealed record RawBatch(Guid BatchId, string SourceTable, long RowCount, string Producer, string? Description, DateTime LandedAt);
