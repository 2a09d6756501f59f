using Dapper;
using Npgsql;

namespace Mlops.Hosting.Identity;

/// <summary>
/// Resolves a presented token's SHA-256 to its principal and roles (identity.tokens, principals, role_grants). Shared by the API's
/// token handler and Serving's caller check, so both judge an <c>mlops_</c> token the same way.
/// </summary>
public static class TokenDirectory
{
    public static Task<TokenLookup?> FindAsync(NpgsqlConnection connection, byte[] hash, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<TokenLookup>(new CommandDefinition("""
            SELECT t.id AS TokenId, p.id AS PrincipalId, p.name AS Name, p.kind AS Kind, t.expires_at AS ExpiresAt, t.revoked_at AS RevokedAt,
                   coalesce((SELECT array_agg(g.role ORDER BY g.role) FROM identity.role_grants g WHERE g.principal_id = p.id), '{}') AS Roles
            FROM identity.tokens t JOIN identity.principals p ON p.id = t.principal_id
            WHERE t.token_hash = @hash
            """, new { hash }, cancellationToken: cancellationToken));

    /// <summary>Why a found token does not authenticate (revoked, expired), or null when it does.</summary>
    public static string? Refusal(TokenLookup? found, DateTime utcNow) => found switch
    {
        null => "The bearer token is not valid.",
        { RevokedAt: not null } => "The bearer token was revoked.",
        _ when found.ExpiresAt <= utcNow => "The bearer token has expired.",
        _ => null,
    };
}
