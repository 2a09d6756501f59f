namespace Mlops.Catalog.Lineage;

public sealed record LineageModelVersion(string ModelName, int Version, string Status, string FeatureTable, int FeatureVersion, string CodeVersion,
    Guid? PipelineRunId, string? TraceId, DateTime CreatedAt);
