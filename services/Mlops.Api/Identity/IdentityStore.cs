using Dapper;
using Npgsql;

namespace Mlops.Api.Identity;

/// <summary>
/// Principals, role grants and tokens in the identity schema. Writes take the caller's connection and transaction, so the
/// API can commit them with their audit entry, and the admin bootstrap can use it without the service host.
/// </summary>
public sealed class IdentityStore
{
    public async Task<PrincipalRecord?> FindPrincipalAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<PrincipalRow>(new CommandDefinition(
            PrincipalsSql + " WHERE p.name = @name", new { name }, transaction, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<PrincipalRow>(new CommandDefinition(PrincipalsSql + " ORDER BY p.name", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <summary>Creates a principal with its roles; false if the name is taken (nothing changes then).</summary>
    public async Task<PrincipalRecord?> CreatePrincipalAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, string kind,
        IReadOnlyCollection<string> roles, string createdBy, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO identity.principals (id, name, kind, created_by) VALUES (@id, @name, @kind, @createdBy) ON CONFLICT (name) DO NOTHING
            """, new { id, name, kind, createdBy }, transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
            return null;
        await GrantAsync(connection, transaction, id, roles, createdBy, cancellationToken);
        return await FindPrincipalAsync(connection, transaction, name, cancellationToken);
    }

    public Task GrantAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid principalId, IReadOnlyCollection<string> roles, string grantedBy,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO identity.role_grants (principal_id, role, granted_by) SELECT @principalId, unnest(@roles), @grantedBy ON CONFLICT DO NOTHING
            """, new { principalId, roles = roles.ToArray(), grantedBy }, transaction, cancellationToken: cancellationToken));

    public async Task<IssuedToken> IssueTokenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PrincipalRecord principal, string description,
        DateTimeOffset expiresAt, string createdBy, CancellationToken cancellationToken)
    {
        var (token, hash) = ApiTokens.Generate();
        var id = Guid.NewGuid();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO identity.tokens (id, principal_id, token_hash, description, created_by, expires_at)
            VALUES (@id, @principalId, @hash, @description, @createdBy, @expiresAt)
            """, new { id, principalId = principal.Id, hash, description, createdBy, expiresAt = expiresAt.UtcDateTime }, transaction, cancellationToken: cancellationToken));
        return new IssuedToken(id, principal.Name, token, expiresAt);
    }

    public async Task<IReadOnlyList<TokenRecord>> ListTokensAsync(NpgsqlConnection connection, Guid principalId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<TokenRecord>(new CommandDefinition("""
            SELECT id AS Id, description AS Description, created_at AS CreatedAt, expires_at AS ExpiresAt, revoked_at AS RevokedAt, revoked_by AS RevokedBy
            FROM identity.tokens WHERE principal_id = @principalId ORDER BY created_at
            """, new { principalId }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>Revokes a token of the principal; false if there is no such token. Revoking twice keeps the first revocation.</summary>
    public async Task<bool> RevokeTokenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid principalId, Guid tokenId, string revokedBy,
        CancellationToken cancellationToken)
    {
        var found = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            WITH revoked AS (
                UPDATE identity.tokens SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, @revokedBy)
                WHERE id = @tokenId AND principal_id = @principalId RETURNING 1)
            SELECT count(*) FROM revoked
            """, new { tokenId, principalId, revokedBy }, transaction, cancellationToken: cancellationToken));
        return found > 0;
    }

    public Task<bool> AnyAdminAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM identity.role_grants WHERE role = 'admin')", transaction: transaction, cancellationToken: cancellationToken));

    private const string PrincipalsSql = """
        SELECT p.id AS Id, p.name AS Name, p.kind AS Kind, p.created_at AS CreatedAt,
               coalesce((SELECT array_agg(g.role ORDER BY g.role) FROM identity.role_grants g WHERE g.principal_id = p.id), '{}') AS Roles
        FROM identity.principals p
        """;

    private sealed class PrincipalRow
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
        public string Kind { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public string[] Roles { get; set; } = [];

        public PrincipalRecord ToRecord() => new(Id, Name, Kind, Roles, CreatedAt);
    }
}
