namespace Mlops.Api.Requests;

public sealed record DenyRequest(string? Reason);
