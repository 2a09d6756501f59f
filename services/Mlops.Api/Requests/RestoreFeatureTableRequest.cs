namespace Mlops.Api.Requests;

/// <summary>
/// Restore a feature table in one environment to an earlier version: exactly one of <see cref="Version"/> (VERSION AS OF) and
/// <see cref="Timestamp"/> (TIMESTAMP AS OF), and why (kept with the new version and in the audit log).
/// </summary>
public sealed record RestoreFeatureTableRequest(string? Environment, int? Version, DateTimeOffset? Timestamp, string? Reason);
