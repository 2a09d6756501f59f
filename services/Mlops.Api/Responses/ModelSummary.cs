namespace Mlops.Api.Responses;

public sealed record ModelSummary(string Name, string? Description, string CreatedBy, DateTime CreatedAt, int? LatestVersion, IReadOnlyDictionary<string, int> Aliases);
