namespace Mlops.Catalog.Registry;

/// <summary>One archive or restore of a version, as kept in the append-only status history.</summary>
public sealed record VersionStatusChange(long Id, string ModelName, int Version, string FromStatus, string ToStatus, string ChangedBy, string Reason,
    DateTime ChangedAt);
