using Mlops.Catalog.Features;
using Mlops.Catalog.Lineage;

namespace Mlops.Api.Responses;

/// <summary>Upstream to downstream: a raw batch, every feature table version computed from it and every model version trained on those.</summary>
public sealed record BatchLineage(RawBatch Batch, IReadOnlyList<LineageFeatureVersion> FeatureVersions, IReadOnlyList<LineageModelVersion> ModelVersions,
    int HiddenModelVersions);
