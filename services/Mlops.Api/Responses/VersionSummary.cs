namespace Mlops.Api.Responses;

public sealed record VersionSummary(int Version, string Status, string CodeVersion, string Trainer, string CreatedBy, DateTime CreatedAt,
    IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Aliases);
