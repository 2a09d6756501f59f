namespace Mlops.Api.Requests;

/// <summary>Archive or restore a version: why (required to archive, optional to restore; kept in the status history and the audit log).</summary>
public sealed record VersionStatusRequest(string? Reason);
