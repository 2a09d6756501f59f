using Dapper;
using Mlops.Hosting.Identity;
using Npgsql;

namespace Mlops.Bench.Serving;

/// <summary>
/// P5 measures Serving with its caller check on, as deployed: a principal with <c>models.invoke</c> on the bench model's catalog
/// (dev: a data scientist) and an <c>mlops_</c> token for it, written into the bench database's identity schema (migrated by
/// the Serving process) the way the API's principal endpoints write them.
/// </summary>
public static class BenchToken
{
    public static async Task<string> IssueAsync(string connectionString)
    {
        var (token, hash) = ApiTokens.Generate();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync("""
            INSERT INTO identity.principals (id, name, kind, created_by) VALUES (@id, 'bench-caller', 'user', 'bench') ON CONFLICT (name) DO NOTHING;
            INSERT INTO identity.role_grants (principal_id, role, granted_by)
                SELECT p.id, @role, 'bench' FROM identity.principals p WHERE p.name = 'bench-caller' ON CONFLICT DO NOTHING;
            INSERT INTO identity.tokens (id, principal_id, token_hash, description, created_by, expires_at)
                SELECT @tokenId, p.id, @hash, 'P5', 'bench', now() + interval '1 day' FROM identity.principals p WHERE p.name = 'bench-caller';
            """, new { id = Guid.NewGuid(), role = Roles.DataScientist, tokenId = Guid.NewGuid(), hash });
        return token;
    }
}
