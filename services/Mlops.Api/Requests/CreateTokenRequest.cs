namespace Mlops.Api.Requests;

/// <summary>A new token for a principal; it lives <see cref="ExpiresInDays"/> days (the configured default when empty).</summary>
public sealed record CreateTokenRequest(string? Description, int? ExpiresInDays);
