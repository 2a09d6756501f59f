using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Npgsql;
using Xunit;

namespace Mlops.Catalog.Tests;

public sealed class When_two_first_refreshes_register_one_feature_table(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task Both_succeed_and_the_table_exists_once()
    {
        var store = fixture.Host.Services.GetRequiredService<FeatureStore>();
        var definition = new FeatureTableDefinition
        {
            Name = "racing_features",
            EntityColumn = "customer_id",
            Columns = [new FeatureColumn("tenure", FeatureType.Numeric), new FeatureColumn("plan", FeatureType.Categorical)],
            LabelColumn = "churned",
            SourceTable = "raw.racing",
        };

        // Each in its own transaction, started together: without the name's lock one CREATE TABLE fails on pg_type's unique index.
        var registrations = Enumerable.Range(0, 6).Select(_ => Task.Run(() => fixture.Host.InTransactionAsync(session => store.EnsureTableAsync(session, definition))));
        await Task.WhenAll(registrations);

        await using var connection = await fixture.Host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM features.tables WHERE name = 'racing_features'"));
        Assert.NotNull(await store.FindTableAsync("racing_features"));
    }
}
