namespace Mlops.Api.Requests;

public sealed record ApproveRequest(string? Comment);
