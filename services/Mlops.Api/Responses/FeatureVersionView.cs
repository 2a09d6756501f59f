using Mlops.Catalog.Features;

namespace Mlops.Api.Responses;

/// <summary>A feature table version as the API shows it: what it holds, where it came from (computed by a run, or restored from an earlier version) and who made it.</summary>
public sealed record FeatureVersionView(string Table, int Version, string? Environment, long RowCount, IReadOnlyList<Guid> RawBatchIds, Guid? PipelineRunId,
    string CreatedBy, DateTime CreatedAt, int? RestoredFrom, string? RestoreReason)
{
    public static FeatureVersionView From(FeatureVersionEntry entry) => new(entry.Version.TableName, entry.Version.Version, entry.Version.Environment,
        entry.Version.RowCount, entry.Version.RawBatchIds, entry.Version.PipelineRunId, entry.Version.CreatedBy, entry.Version.CreatedAt, entry.RestoredFrom,
        entry.RestoreReason);
}
