namespace Mlops.Api.Identity;

/// <summary>A token as the API shows it after creation: never the token itself.</summary>
public sealed record TokenRecord(Guid Id, string Description, DateTime CreatedAt, DateTime ExpiresAt, DateTime? RevokedAt, string? RevokedBy);
