using Dapper;
using Mlops.Catalog.Registry;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Catalog.Tests;

public sealed class When_versions_are_registered(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task They_are_numbered_one_after_another_with_their_lineage_and_tags()
    {
        var first = await fixture.RegisterAsync("dev.ml.numbering");
        var second = await fixture.RegisterAsync("dev.ml.numbering");

        Assert.Equal((1, 2), (first, second));
        var version = await fixture.Registry.FindVersionAsync("dev.ml.numbering", 2);
        Assert.NotNull(version);
        Assert.Equal("ready", version.Status);
        Assert.Equal("abc123", version.CodeVersion);
        Assert.Single(version.RawBatchIds);
        Assert.Equal("false", version.Tags["pii"]);
        Assert.Equal(0.8, version.Metrics["auc"]);
    }

    [Fact]
    public async Task Concurrent_registrations_never_share_a_number()
    {
        var versions = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fixture.RegisterAsync("dev.ml.concurrent")));

        Assert.Equal(Enumerable.Range(1, 8), versions.Order());
    }
}

public sealed class When_an_alias_moves(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task It_moves_only_from_the_version_the_caller_saw_and_history_records_each_move()
    {
        const string model = "dev.ml.aliases";
        var v1 = await fixture.RegisterAsync(model);
        var v2 = await fixture.RegisterAsync(model);
        var v3 = await fixture.RegisterAsync(model);

        await fixture.Host.InTransactionAsync(s => fixture.Registry.SetAliasAsync(s, model, ModelAliases.Champion, v1, null, "alice", "first champion"));
        await fixture.Host.InTransactionAsync(s => fixture.Registry.SetAliasAsync(s, model, ModelAliases.Champion, v2, v1, "bob", "better auc"));

        var conflict = await Assert.ThrowsAsync<AliasConflictException>(() =>
            fixture.Host.InTransactionAsync(s => fixture.Registry.SetAliasAsync(s, model, ModelAliases.Champion, v3, v1, "carol", "stale view")));
        Assert.Equal((v1, v2), (conflict.Expected, conflict.Actual));
        Assert.Contains("points to version 2, not version 1", conflict.Message);

        await Assert.ThrowsAsync<AliasConflictException>(() =>
            fixture.Host.InTransactionAsync(s => fixture.Registry.SetAliasAsync(s, model, ModelAliases.Champion, v3, null, "dave", "thinks there is none")));

        Assert.Equal(v2, await fixture.Registry.FindAliasAsync(model, ModelAliases.Champion));
        var history = await fixture.Registry.AliasHistoryAsync(model, ModelAliases.Champion);
        Assert.Equal([(null, v1, "alice"), (v1, v2, "bob")], history.Select(h => ((int?)h.FromVersion, h.ToVersion, h.ChangedBy)));
    }

    [Fact]
    public async Task Alias_history_cannot_be_rewritten()
    {
        const string model = "dev.ml.history";
        var v1 = await fixture.RegisterAsync(model);
        await fixture.Host.InTransactionAsync(s => fixture.Registry.SetAliasAsync(s, model, ModelAliases.Champion, v1, null, "alice", "first"));

        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync();
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync("UPDATE registry.alias_history SET changed_by = 'mallory' WHERE model_name = @model", new { model }));
        var delete = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync("DELETE FROM registry.alias_history WHERE model_name = @model", new { model }));

        Assert.Contains("append-only", update.MessageText);
        Assert.Contains("append-only", delete.MessageText);
        Assert.Equal("alice", (await fixture.Registry.AliasHistoryAsync(model, ModelAliases.Champion)).Single().ChangedBy);
    }

    [Fact]
    public async Task An_archived_version_cannot_become_champion()
    {
        const string model = "dev.ml.archived";
        var v1 = await fixture.RegisterAsync(model);
        await fixture.Host.InTransactionAsync(s => fixture.Registry.ArchiveAsync(s, model, v1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            fixture.Host.InTransactionAsync(s => fixture.Registry.SetAliasAsync(s, model, ModelAliases.Champion, v1, null, "alice", "try")));

        Assert.Contains("archived", error.Message);
        Assert.Null(await fixture.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }
}
