namespace Mlops.Api.Audit;

/// <summary>A filter over the audit log; every part optional. <see cref="ModelName"/> matches the model and its versions.</summary>
public sealed record AuditQuery(string? Principal, string? Action, string? ModelName, string? Outcome, DateTimeOffset? From, DateTimeOffset? To, int Limit);
