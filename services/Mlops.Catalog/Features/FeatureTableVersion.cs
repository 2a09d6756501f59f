using Mlops.Contracts;

namespace Mlops.Catalog.Features;

public sealed record FeatureTableVersion(
    string TableName,
    int Version,
    long RowCount,
    IReadOnlyList<Guid> RawBatchIds,
    Guid? PipelineRunId,
    IReadOnlyList<FeatureStatistics> Statistics,
    string CreatedBy,
    DateTime CreatedAt,
    string? Environment = null);
