using Dapper;
using Mlops.Hosting.Identity;
using Npgsql;

namespace Mlops.Testing;

/// <summary>
/// Principals and <c>mlops_</c> tokens written straight into a migrated test database (identity schema), for tests of services
/// that check callers without going through the API: the same rows the API's principal endpoints write.
/// </summary>
public static class TestTokens
{
    /// <summary>Creates the principal (if new) with <paramref name="roles"/> and returns a fresh token for it.</summary>
    public static async Task<string> IssueAsync(string connectionString, string principal, params string[] roles) =>
        (await IssueWithIdAsync(connectionString, principal, roles)).Token;

    /// <summary>Also returns the token's id, e.g. to revoke it with <see cref="RevokeAsync"/>.</summary>
    public static async Task<(string Token, Guid TokenId)> IssueWithIdAsync(string connectionString, string principal, params string[] roles)
    {
        var (token, hash) = ApiTokens.Generate();
        var tokenId = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync("""
            INSERT INTO identity.principals (id, name, kind, created_by) VALUES (@id, @principal, 'user', 'test') ON CONFLICT (name) DO NOTHING;
            INSERT INTO identity.role_grants (principal_id, role, granted_by)
                SELECT p.id, unnest(@roles), 'test' FROM identity.principals p WHERE p.name = @principal ON CONFLICT DO NOTHING;
            INSERT INTO identity.tokens (id, principal_id, token_hash, description, created_by, expires_at)
                SELECT @tokenId, p.id, @hash, 'test', 'test', now() + interval '1 day' FROM identity.principals p WHERE p.name = @principal;
            """, new { id = Guid.NewGuid(), principal, roles, tokenId, hash });
        return (token, tokenId);
    }

    public static async Task RevokeAsync(string connectionString, Guid tokenId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync("UPDATE identity.tokens SET revoked_at = now(), revoked_by = 'test' WHERE id = @tokenId", new { tokenId });
    }
}
