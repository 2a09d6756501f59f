using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mlops.Hosting.Data;

/// <summary>
/// Applies <see cref="DatabaseAccessPolicy"/> on the migrator's connection: each managed role's rights in each managed
/// schema are revoked and granted again, so the database converges on the policy (a right taken out of the table is taken
/// away). Skipped when nothing it depends on changed since the last run (a fingerprint in migrations.access).
/// </summary>
public sealed class DatabaseAccess(ILogger<DatabaseAccess> logger)
{
    public async Task ApplyAsync(NpgsqlConnection connection, bool migrated, CancellationToken cancellationToken)
    {
        var policy = DatabaseAccessPolicy.Grants;
        var managedRoles = policy.Select(g => g.Role).Distinct().Order(StringComparer.Ordinal).ToArray();
        var managedSchemas = policy.Select(g => g.Schema).Distinct().Order(StringComparer.Ordinal).ToArray();

        await connection.ExecuteAsync(new CommandDefinition(EnsureTableSql, cancellationToken: cancellationToken));
        var roles = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(@managedRoles) ORDER BY rolname", new { managedRoles }, cancellationToken: cancellationToken))).ToHashSet();
        var schemas = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(@managedSchemas) ORDER BY nspname", new { managedSchemas }, cancellationToken: cancellationToken))).ToHashSet();
        var memberOf = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(@managedRoles) AND pg_has_role(current_user, oid, 'USAGE') ORDER BY rolname",
            new { managedRoles }, cancellationToken: cancellationToken))).ToHashSet();
        if (roles.Count == 0)
            return;

        var fingerprint = Fingerprint(roles, schemas, memberOf);
        var applied = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT fingerprint FROM migrations.access WHERE id = 1", cancellationToken: cancellationToken));
        if (!migrated && applied == fingerprint)
            return;

        var sql = new StringBuilder();
        foreach (var schema in schemas.Order(StringComparer.Ordinal))
        {
            var s = SqlIdentifier.Quote(schema, "schema");
            foreach (var role in roles.Order(StringComparer.Ordinal))
            {
                var r = SqlIdentifier.Quote(role, "role");
                sql.AppendLine($"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}; REVOKE ALL ON SCHEMA {s} FROM {r};");
                sql.AppendLine($"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} REVOKE ALL ON TABLES FROM {r}; ALTER DEFAULT PRIVILEGES IN SCHEMA {s} REVOKE ALL ON SEQUENCES FROM {r};");
            }

            var grants = policy.Where(g => g.Schema == schema && roles.Contains(g.Role)).ToList();
            foreach (var grant in grants)
            {
                var r = SqlIdentifier.Quote(grant.Role, "role");
                sql.AppendLine($"GRANT USAGE{(grant.Level == SchemaAccessLevel.Create ? ", CREATE" : "")} ON SCHEMA {s} TO {r};");
                AppendTableGrants(sql, s, r, grant.Level, forRole: null);
            }

            // Tables a Create grantee makes at run time belong to it; the default privileges it hands out let the schema's
            // other grantees use them. Setting them for another role needs membership in it (deploy/infra.sh grants that).
            foreach (var creator in grants.Where(g => g.Level == SchemaAccessLevel.Create))
            {
                if (!memberOf.Contains(creator.Role))
                {
                    logger.LogWarning("Cannot set default privileges for {Role} in schema {Schema}: {Owner} is not a member of it",
                        creator.Role, schema, DatabaseAccessPolicy.OwnerRole);
                    continue;
                }
                foreach (var other in grants.Where(g => g.Role != creator.Role))
                    AppendTableGrants(sql, s, SqlIdentifier.Quote(other.Role, "role"), other.Level, SqlIdentifier.Quote(creator.Role, "role"));
            }
        }

        foreach (var table in DatabaseAccessPolicy.AppendOnlyTables.Where(t => schemas.Contains(t.Split('.')[0])))
        {
            var t = SqlIdentifier.QuoteQualified(table);
            sql.AppendLine($"DO $$ BEGIN IF to_regclass('{t}') IS NOT NULL THEN EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM PUBLIC, " +
                string.Join(", ", roles.Order(StringComparer.Ordinal).Select(r => SqlIdentifier.Quote(r, "role"))) + "'; END IF; END $$;");
        }

        foreach (var grant in DatabaseAccessPolicy.TableGrants.Where(g => roles.Contains(g.Role) && schemas.Contains(g.Table.Split('.')[0])))
        {
            var t = SqlIdentifier.QuoteQualified(grant.Table);
            var r = SqlIdentifier.Quote(grant.Role, "role");
            var privileges = grant.Level switch
            {
                SchemaAccessLevel.Read => "SELECT",
                SchemaAccessLevel.Insert => "INSERT",
                SchemaAccessLevel.Append => "SELECT, INSERT",
                _ => "SELECT, INSERT, UPDATE, DELETE",
            };
            sql.AppendLine($"GRANT USAGE ON SCHEMA {SqlIdentifier.Quote(grant.Table.Split('.')[0], "schema")} TO {r};");
            sql.AppendLine($"DO $$ BEGIN IF to_regclass('{t}') IS NOT NULL THEN EXECUTE 'GRANT {privileges} ON {t} TO {r}'; END IF; END $$;");
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql.ToString(), transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO migrations.access (id, fingerprint) VALUES (1, @fingerprint)
            ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, applied_at = now()
            """, new { fingerprint }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Applied database rights for {RoleCount} roles in {SchemaCount} schemas", roles.Count, schemas.Count);
    }

    private static void AppendTableGrants(StringBuilder sql, string schema, string role, SchemaAccessLevel level, string? forRole)
    {
        var (tables, sequences) = level switch
        {
            SchemaAccessLevel.Read => ("SELECT", "SELECT"),
            SchemaAccessLevel.Insert => ("INSERT", "USAGE"),
            SchemaAccessLevel.Append => ("SELECT, INSERT", "USAGE, SELECT"),
            // A table a Create grantee makes may reference the schema's own (raw tables reference raw.batches).
            SchemaAccessLevel.Create => ("SELECT, INSERT, UPDATE, DELETE, REFERENCES", "USAGE, SELECT, UPDATE"),
            _ => ("SELECT, INSERT, UPDATE, DELETE", "USAGE, SELECT, UPDATE"),
        };
        var defaults = forRole is null ? "ALTER DEFAULT PRIVILEGES" : $"ALTER DEFAULT PRIVILEGES FOR ROLE {forRole}";
        if (forRole is null)
        {
            sql.AppendLine($"GRANT {tables} ON ALL TABLES IN SCHEMA {schema} TO {role};");
            sql.AppendLine($"GRANT {sequences} ON ALL SEQUENCES IN SCHEMA {schema} TO {role};");
        }
        sql.AppendLine($"{defaults} IN SCHEMA {schema} GRANT {tables} ON TABLES TO {role};");
        sql.AppendLine($"{defaults} IN SCHEMA {schema} GRANT {sequences} ON SEQUENCES TO {role};");
    }

    private static string Fingerprint(IEnumerable<string> roles, IEnumerable<string> schemas, IEnumerable<string> memberOf)
    {
        var text = string.Join("\n", DatabaseAccessPolicy.Grants.Select(g => $"{g.Schema} {g.Role} {g.Level}"))
            + "\n" + string.Join(",", DatabaseAccessPolicy.AppendOnlyTables)
            + "\n" + string.Join("\n", DatabaseAccessPolicy.TableGrants.Select(g => $"{g.Table} {g.Role} {g.Level}"))
            + "\n" + string.Join(",", roles.Order(StringComparer.Ordinal))
            + "\n" + string.Join(",", schemas.Order(StringComparer.Ordinal))
            + "\n" + string.Join(",", memberOf.Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private const string EnsureTableSql = """
        CREATE TABLE IF NOT EXISTS migrations.access (
            id           integer     PRIMARY KEY CHECK (id = 1),
            fingerprint  text        NOT NULL,
            applied_at   timestamptz NOT NULL DEFAULT now()
        );
        """;
}
