namespace Mlops.Hosting.Audit;

/// <summary>What happened, before it is chained into the log.</summary>
public sealed record AuditRecord(string Principal, string Action, string Resource, string Outcome, string Detail = "", string? TraceId = null, string? RequestId = null);
