namespace Mlops.Api.Identity;

/// <summary>A new token: the only time <see cref="Token"/> is ever shown.</summary>
public sealed record IssuedToken(Guid TokenId, string Principal, string Token, DateTimeOffset ExpiresAt);
