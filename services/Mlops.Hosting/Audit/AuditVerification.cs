namespace Mlops.Hosting.Audit;

/// <summary>
/// The verdict on the chain: intact, or the first entry found wrong and how (edited, deleted, reordered).
/// </summary>
public sealed record AuditVerification(bool Intact, long Entries, long? FirstBadSeq, string? Problem, string Message);
