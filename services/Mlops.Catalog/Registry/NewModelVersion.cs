using Mlops.Catalog.Models;

namespace Mlops.Catalog.Registry;

/// <summary>What registering a version needs: the artifact, its signature and its whole lineage.</summary>
public sealed record NewModelVersion
{
    public required ModelName ModelName { get; init; }
    public string? Description { get; init; }
    public required ModelSignature Signature { get; init; }
    public required Guid TrainingRunId { get; init; }
    public required string ArtifactSha256 { get; init; }

    /// <summary>The artifact's format, one of <see cref="ModelFormats"/>.</summary>
    public string ModelFormat { get; init; } = ModelFormats.Portable;

    public required string CodeVersion { get; init; }
    public required string Trainer { get; init; }
    public required string FeatureTable { get; init; }
    public required int FeatureVersion { get; init; }
    public required IReadOnlyList<Guid> RawBatchIds { get; init; }
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    public Guid? PipelineRunId { get; init; }
    public string? TraceId { get; init; }
    public required string Principal { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
