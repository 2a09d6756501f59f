using Mlops.Contracts;

namespace Mlops.Catalog.Features;

/// <summary>One refresh's data-quality verdict; <see cref="Version"/> is null when the refresh stopped on a violation.</summary>
public sealed record FeatureQualityResult(
    string TableName,
    int? Version,
    Guid? PipelineRunId,
    IReadOnlyList<Guid> RawBatchIds,
    bool Passed,
    IReadOnlyList<string> Violations,
    IReadOnlyList<FeatureStatistics> Statistics,
    DateTime CheckedAt);
