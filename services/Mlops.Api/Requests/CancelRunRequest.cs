namespace Mlops.Api.Requests;

public sealed record CancelRunRequest(string? Reason);
