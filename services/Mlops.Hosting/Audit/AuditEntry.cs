namespace Mlops.Hosting.Audit;

/// <summary>One entry of the audit log as stored.</summary>
public sealed record AuditEntry
{
    public long Seq { get; init; }
    public DateTime At { get; init; }
    public string Principal { get; init; } = "";
    public string Action { get; init; } = "";
    public string Resource { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string Detail { get; init; } = "";
    public string? TraceId { get; init; }
    public string? RequestId { get; init; }
    public string PreviousHash { get; init; } = "";
    public string Hash { get; init; } = "";
}
