using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Mlops.Testing;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_a_feature_version_is_published_online(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    private const string Queue = "publish-online-features";

    private sealed record OnlineRow(string Environment, long AccountId, int Version, double? Score, string? Tier, DateTime PublishedAt);

    private static FeatureTableDefinition Table(string name) => new()
    {
        Name = name,
        EntityColumn = "account_id",
        Columns = [new FeatureColumn("score", FeatureType.Numeric), new FeatureColumn("tier", FeatureType.Categorical)],
        SourceTable = "raw.accounts",
    };

    /// <summary>A version of <paramref name="table"/> as the refresh step writes it (the service's role), not yet announced.</summary>
    private async Task<int> WriteVersionAsync(string table, string environmentName, IReadOnlyDictionary<long, (double Score, string? Tier)> rows)
    {
        var definition = Table(table);
        var keys = rows.Keys.ToArray();
        var frame = new FeatureFrame(definition.Columns, keys,
            new Dictionary<string, double[]> { ["score"] = keys.Select(k => rows[k].Score).ToArray() },
            new Dictionary<string, string?[]> { ["tier"] = keys.Select(k => rows[k].Tier).ToArray() }, null);
        await using var session = environment.SessionAs("feature-refresh");
        await session.BeginAsync();
        await environment.FeatureStore.EnsureTableAsync(session, definition);
        var version = await environment.FeatureStore.WriteVersionAsync(session, definition, frame, [Guid.NewGuid()], null, [], "tests", environmentName);
        await session.CommitAsync();
        return version;
    }

    private static FeatureTableRefreshed Refreshed(string table, int version, string environmentName, long rows) => new()
    {
        CorrelationId = Guid.NewGuid(),
        ModelName = $"{environmentName}.ml.accounts",
        Environment = environmentName,
        Principal = "tests",
        FeatureTable = table,
        FeatureVersion = version,
        RowCount = rows,
    };

    private Task<long> PublishedAsync(string table, int version) => environment.Database.ScalarAsync<long>(
        "SELECT count(*) FROM features_online.publications WHERE table_name = @table AND version = @version", new { table, version });

    private Task WaitPublishedAsync(string table, int version) =>
        Eventually.WaitAsync(async () => await PublishedAsync(table, version) == 1, $"{table} version {version} published online");

    private async Task<IReadOnlyList<OnlineRow>> RowsAsync(string table) => await environment.Database.QueryAsync<OnlineRow>(
        $"SELECT environment, account_id AS accountid, version, score, tier, published_at AS publishedat FROM features_online.\"{table}\" ORDER BY environment, account_id");

    [Fact]
    public async Task The_version_s_rows_fill_the_online_table_of_its_environment_and_are_audited()
    {
        var version = await WriteVersionAsync("online_fill", "dev", new Dictionary<long, (double, string?)> { [1] = (0.5, "gold"), [2] = (double.NaN, null), [3] = (-2, "free") });

        await environment.PublishAsync(Refreshed("online_fill", version, "dev", 3));
        await WaitPublishedAsync("online_fill", version);

        Assert.Equal([("dev", 1L, version, (double?)0.5, "gold"), ("dev", 2L, version, null, null), ("dev", 3L, version, -2.0, "free")],
            (await RowsAsync("online_fill")).Select(r => (r.Environment, r.AccountId, r.Version, r.Score, r.Tier)));
        Assert.Equal([(3L, 3L)], await environment.Database.QueryAsync<(long, long)>(
            "SELECT row_count, rows_written FROM features_online.publications WHERE table_name = 'online_fill'"));
        Assert.Equal(1L, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'features.published' AND resource = @resource AND outcome = 'succeeded'",
            new { resource = $"features:online_fill@{version}" }));
    }

    [Fact]
    public async Task A_newer_version_replaces_the_entities_it_holds_and_a_late_older_one_replaces_none_of_them()
    {
        var older = await WriteVersionAsync("online_order", "dev", new Dictionary<long, (double, string?)> { [1] = (1, "a"), [2] = (1, "a"), [3] = (1, "a") });
        var newer = await WriteVersionAsync("online_order", "dev", new Dictionary<long, (double, string?)> { [2] = (2, "b"), [4] = (2, "b") });

        await environment.PublishAsync(Refreshed("online_order", newer, "dev", 2));
        await WaitPublishedAsync("online_order", newer);
        await environment.PublishAsync(Refreshed("online_order", older, "dev", 3));
        await WaitPublishedAsync("online_order", older);

        Assert.Equal([(1L, older, "a"), (2L, newer, "b"), (3L, older, "a"), (4L, newer, "b")],
            (await RowsAsync("online_order")).Select(r => (r.AccountId, r.Version, r.Tier)));
        Assert.Equal(2L, await environment.Database.ScalarAsync<long>(
            "SELECT rows_written FROM features_online.publications WHERE table_name = 'online_order' AND version = @older", new { older }));
    }

    [Fact]
    public async Task A_redelivered_or_repeated_event_writes_nothing_twice()
    {
        var version = await WriteVersionAsync("online_repeat", "dev", new Dictionary<long, (double, string?)> { [1] = (1, "a"), [2] = (2, "b") });
        var message = Refreshed("online_repeat", version, "dev", 2);
        var messageId = Guid.NewGuid();
        await environment.PublishAsync(message, context => context.MessageId = messageId);
        await WaitPublishedAsync("online_repeat", version);
        var first = await RowsAsync("online_repeat");
        var acknowledged = await environment.Broker.AcknowledgedAsync(environment.VirtualHost, Queue);

        await environment.PublishAsync(message, context => context.MessageId = messageId);
        await environment.PublishAsync(message with { CorrelationId = Guid.NewGuid() });
        await Eventually.WaitAsync(async () => await environment.Broker.AcknowledgedAsync(environment.VirtualHost, Queue) >= acknowledged + 2,
            "both repeats consumed");

        Assert.Equal(first, await RowsAsync("online_repeat"));
        Assert.Equal(1L, await PublishedAsync("online_repeat", version));
        Assert.Equal(1L, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE resource = @resource",
            new { resource = $"features:online_repeat@{version}" }));
    }

    [Fact]
    public async Task Each_environment_keeps_its_own_values_of_an_entity()
    {
        var dev = await WriteVersionAsync("online_envs", "dev", new Dictionary<long, (double, string?)> { [1] = (1, "dev") });
        var prod = await WriteVersionAsync("online_envs", "prod", new Dictionary<long, (double, string?)> { [1] = (9, "prod") });
        await environment.PublishAsync(Refreshed("online_envs", dev, "dev", 1));
        await environment.PublishAsync(Refreshed("online_envs", prod, "prod", 1));
        await WaitPublishedAsync("online_envs", dev);
        await WaitPublishedAsync("online_envs", prod);

        var devAgain = await WriteVersionAsync("online_envs", "dev", new Dictionary<long, (double, string?)> { [1] = (2, "dev again") });
        await environment.PublishAsync(Refreshed("online_envs", devAgain, "dev", 1));
        await WaitPublishedAsync("online_envs", devAgain);

        Assert.Equal([("dev", devAgain, "dev again"), ("prod", prod, "prod")], (await RowsAsync("online_envs")).Select(r => (r.Environment, r.Version, r.Tier)));
    }

    [Fact]
    public async Task An_event_naming_a_version_that_does_not_exist_or_another_environment_is_dead_lettered_with_the_reason()
    {
        var version = await WriteVersionAsync("online_bad", "staging", new Dictionary<long, (double, string?)> { [1] = (1, "a") });

        await environment.PublishAsync(Refreshed("online_bad", version + 100, "staging", 1));
        await environment.PublishAsync(Refreshed("online_bad", version, "prod", 1));

        var dead = await Eventually.WaitAsync(() => environment.Database.DeadLettersAsync(Queue), d => d.Count(m => m.Body.Contains("online_bad")) == 2,
            "both events dead-lettered");
        Assert.Contains(dead, d => d.Reason.Contains($"Feature table online_bad has no version {version + 100}."));
        Assert.Contains(dead, d => d.Reason.Contains($"says online_bad version {version} is prod's, but it was computed in staging"));
        Assert.Equal(0L, await PublishedAsync("online_bad", version));
    }

    [Fact]
    public async Task A_refresh_of_landed_data_is_published_online_with_every_row()
    {
        var batch = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 500, Seed = 11 }));

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), batch)));
        await WaitPublishedAsync(refreshed.FeatureTable, refreshed.FeatureVersion);

        Assert.Equal(500L, await environment.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM features_online.\"{refreshed.FeatureTable}\" WHERE environment = 'dev' AND version = @FeatureVersion", new { refreshed.FeatureVersion }));
    }
}
