namespace Mlops.Api.Identity;

/// <summary>A token as the API shows it after creation: never the token itself.</summary>
public sealed record TokenRecord
{
    public Guid Id { get; init; }
    public string Description { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? RevokedAt { get; init; }
    public string? RevokedBy { get; init; }
}
