namespace Mlops.Hosting.Identity;

/// <summary>What a presented token hash resolves to, before expiry and revocation are judged.</summary>
public sealed record TokenLookup
{
    public Guid TokenId { get; init; }
    public Guid PrincipalId { get; init; }
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public DateTime ExpiresAt { get; init; }
    public DateTime? RevokedAt { get; init; }
    public string[] Roles { get; init; } = [];
}
