namespace Mlops.Catalog.Features;

/// <summary>A feature table version with where it came from: computed (<see cref="RestoredFrom"/> null) or restored from an earlier version.</summary>
public sealed record FeatureVersionEntry(FeatureTableVersion Version, int? RestoredFrom, string? RestoreReason);
