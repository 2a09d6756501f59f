namespace Mlops.Catalog.Lineage;

public sealed record LineageFeatureVersion(string Table, int Version, string? Environment, long RowCount, Guid? PipelineRunId, DateTime CreatedAt);
