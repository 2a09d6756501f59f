namespace Mlops.Api.Responses;

public sealed record RunSummary(Guid RunId, string? State, string ModelName, string Environment, string Principal, string Trigger, string CodeVersion,
    int? ModelVersion, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string? FailureReason);
