using Mlops.Catalog.Features;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;

namespace Mlops.Api.Responses;

/// <summary>
/// Downstream to upstream: a model version, the pipeline run that produced it, its tracking run, the feature table version
/// it trained on, the raw batches that version was computed from, the code version and the trace; and, across
/// environments, the completed runs of the same code in the environments it was promoted through.
/// </summary>
public sealed record ModelLineage(
    ModelVersion Version,
    RunSummary? PipelineRun,
    TrackingRun? TrackingRun,
    FeatureTableVersion? FeatureVersion,
    IReadOnlyList<RawBatch> RawBatches,
    string CodeVersion,
    string? TraceId,
    IReadOnlyList<RunSummary> CodeCompletedIn);
