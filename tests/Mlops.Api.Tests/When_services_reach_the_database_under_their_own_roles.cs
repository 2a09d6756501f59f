using Dapper;
using Mlops.Hosting.Data;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// The trust boundary below the API (docs/security.md): the API host runs as mlops_api, migrations ran as mlops_owner, and no
/// service role can rewrite the audit log or the alias history, switch their triggers off, skip triggers by replication role,
/// or read what it has no business reading. Each refusal comes from PostgreSQL's privilege checks (SQLSTATE 42501), not from
/// the triggers, which only a superuser or the owner could switch off.
/// </summary>
public sealed class When_services_reach_the_database_under_their_own_roles(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly string[] Services = ["api", "serving", "training", "promotion", "orchestrator", "monitoring", "compliance", "feature-refresh"];

    [Fact]
    public async Task The_api_connects_as_its_own_role_and_migrations_ran_as_the_owner()
    {
        Assert.True(TestInfrastructure.RolesEnabled, "deploy/infra.sh up has not created the PostgreSQL roles on this stack");

        // The API host's own connections (tests arrange data through sessions of other roles in the same database).
        var users = await fixture.Database.QueryAsync<string>("""
            SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name = @application
            """, new { application = fixture.Host.Environment.ApplicationName });
        var appliedBy = await fixture.Database.QueryAsync<string>("SELECT DISTINCT split_part(applied_by, '@', 1) FROM migrations.history");
        var schemaOwners = await fixture.Database.QueryAsync<string>("""
            SELECT DISTINCT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = ANY(@schemas)
            """, new { schemas = DatabaseAccessPolicy.Grants.Select(g => g.Schema).Distinct().ToArray() });

        Assert.Equal(["mlops_api"], users);
        Assert.Equal([DatabaseAccessPolicy.OwnerRole], appliedBy);
        Assert.Equal([DatabaseAccessPolicy.OwnerRole], schemaOwners);
    }

    [Fact]
    public async Task No_service_role_is_a_superuser_or_owns_anything()
    {
        var roles = Services.Select(DatabaseAccessPolicy.RoleOf).ToArray();
        var privileged = await fixture.Database.QueryAsync<string>("""
            SELECT rolname FROM pg_roles WHERE rolname = ANY(@roles) AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication)
            """, new { roles });
        var owned = await fixture.Database.QueryAsync<string>("""
            SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = ANY(@roles)
            UNION ALL SELECT n.nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = ANY(@roles)
            """, new { roles });

        Assert.Equal(roles.Length, (await fixture.Database.QueryAsync<string>("SELECT rolname FROM pg_roles WHERE rolname = ANY(@roles)", new { roles })).Count);
        Assert.Empty(privileged);
        Assert.Empty(owned);
    }

    [Theory]
    [InlineData("api"), InlineData("serving"), InlineData("training"), InlineData("promotion")]
    public async Task A_service_may_append_to_the_audit_log_but_not_change_or_remove_entries(string service)
    {
        await using var connection = await fixture.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf(service));

        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE false"));
        Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT has_table_privilege('audit.entries', 'INSERT')"));
        foreach (var sql in new[] { "UPDATE audit.entries SET principal = 'mallory'", "DELETE FROM audit.entries", "TRUNCATE audit.entries" })
            await AssertRefused(connection, sql);
    }

    [Theory]
    [InlineData("api"), InlineData("training"), InlineData("promotion"), InlineData("compliance"), InlineData("serving")]
    public async Task A_service_cannot_switch_off_the_append_only_triggers_or_skip_them(string service)
    {
        await using var connection = await fixture.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf(service));

        await AssertRefused(connection, "ALTER TABLE registry.alias_history DISABLE TRIGGER ALL");
        await AssertRefused(connection, "ALTER TABLE audit.entries DISABLE TRIGGER ALL");
        await AssertRefused(connection, "DROP TRIGGER alias_history_is_append_only ON registry.alias_history");
        await AssertRefused(connection, "SET session_replication_role = replica");
        await AssertRefused(connection, "UPDATE registry.alias_history SET changed_by = 'mallory'");
        await AssertRefused(connection, "DELETE FROM registry.alias_history");
    }

    [Fact]
    public async Task Identity_tokens_are_read_by_the_api_and_serving_and_by_no_other_service()
    {
        await using (var serving = await fixture.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf("serving")))
        {
            Assert.True(await serving.ExecuteScalarAsync<long>("SELECT count(*) FROM identity.tokens") >= 1);
            await AssertRefused(serving, "UPDATE identity.tokens SET revoked_at = now()");
            await AssertRefused(serving, "INSERT INTO identity.role_grants (principal_id, role, granted_by) VALUES (gen_random_uuid(), 'admin', 'mallory')");
        }

        foreach (var service in new[] { "training", "promotion", "orchestrator", "monitoring", "compliance", "feature-refresh" })
        {
            await using var connection = await fixture.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf(service));
            await AssertRefused(connection, "SELECT count(*) FROM identity.tokens");
        }
    }

    [Fact]
    public async Task A_service_cannot_create_objects_in_schemas_it_does_not_own()
    {
        await using var connection = await fixture.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf("training"));

        await AssertRefused(connection, "CREATE TABLE registry.shadow (x int)");
        await AssertRefused(connection, "CREATE TABLE public.shadow (x int)");
        await AssertRefused(connection, "CREATE SCHEMA shadow");
        await AssertRefused(connection, "SELECT count(*) FROM migrations.history");
    }

    private static async Task AssertRefused(NpgsqlConnection connection, string sql)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql));
        Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege,
            $"'{sql}' as {connection.UserName} failed with {refused.SqlState} ({refused.MessageText}), not for lack of privilege");
    }
}
