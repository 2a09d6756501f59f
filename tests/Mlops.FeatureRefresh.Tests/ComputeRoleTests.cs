using Dapper;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Hosting.Data;
using Mlops.Simulator;
using Npgsql;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

/// <summary>The role feature expressions run under reads raw tables and inserts feature rows; everything else is refused by PostgreSQL.</summary>
public sealed class When_feature_expressions_run_under_their_role(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    public static TheoryData<string> Forbidden => new()
    {
        "SELECT count(*) FROM features.churn_features",
        "SELECT count(*) FROM features.tables",
        "SELECT count(*) FROM features.definitions",
        "SELECT count(*) FROM features.table_versions",
        "SELECT count(*) FROM features.labels",
        "SELECT count(*) FROM audit.entries",
        "SELECT count(*) FROM registry.model_versions",
        "UPDATE features.churn_features SET age = 0",
        "DELETE FROM features.churn_features",
        "INSERT INTO features.tables (name, entity_column, columns, source_table) VALUES ('x', 'id', '[]', 'raw.x')",
        "INSERT INTO raw.batches (batch_id, source_table, row_count, producer) VALUES (gen_random_uuid(), 'raw.x', 0, 'x')",
        "UPDATE raw.churn_customers SET age = 0",
        "DELETE FROM raw.churn_customers",
        "CREATE TABLE raw.stolen (a integer)",
        "CREATE TABLE features.stolen (a integer)",
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public async Task Anything_but_reading_raw_tables_and_writing_feature_rows_is_refused(string sql)
    {
        await RefreshedOnceAsync();
        await using var connection = await ComputeConnectionAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task It_reads_the_raw_tables_and_belongs_to_no_service_group()
    {
        await RefreshedOnceAsync();
        await using var connection = await ComputeConnectionAsync();

        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM raw.churn_customers") > 0);
        Assert.False(await connection.ExecuteScalarAsync<bool>(
            "SELECT pg_has_role(@role, @services, 'MEMBER')", new { role = DatabaseAccessPolicy.FeatureComputeRole, services = DatabaseAccessPolicy.ServicesRole }));
    }

    private async Task RefreshedOnceAsync()
    {
        if (await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions") > 0)
            return;
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 200, Seed = 61 }));
        Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), batchId)));
    }

    private async Task<NpgsqlConnection> ComputeConnectionAsync()
    {
        var connection = await environment.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf("feature-refresh"));
        await connection.ExecuteAsync($"SET ROLE {DatabaseAccessPolicy.FeatureComputeRole}");
        return connection;
    }
}
