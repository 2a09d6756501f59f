namespace Mlops.Catalog.Registry;

/// <summary>One move of an alias, as kept in the append-only alias history.</summary>
public sealed record AliasChange(long Id, string ModelName, string Alias, int? FromVersion, int ToVersion, string ChangedBy, string Reason,
    Guid? PipelineRunId, DateTime ChangedAt);
