namespace Mlops.Api.Identity;

/// <summary>What a presented token hash resolves to, before expiry and revocation are judged.</summary>
public sealed record TokenLookup(Guid TokenId, Guid PrincipalId, string Name, string Kind, DateTime ExpiresAt, DateTime? RevokedAt, string[] Roles);
