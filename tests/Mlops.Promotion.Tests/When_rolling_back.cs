using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_rolling_back(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    [Fact]
    public async Task The_champion_returns_to_the_one_before_it()
    {
        const string model = "dev.ml.churn_back";
        var versions = await RegisterAsync(model, 2);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        await hosts.Arrange.SetChampionAsync(model, versions[1], expected: versions[0]);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: null, reason: "complaints about v2 in prod");

        var rolledBack = (await hosts.Replies.WaitAsync<ModelRolledBack>(m => m.CorrelationId == runId)).Single();
        Assert.Equal((versions[1], versions[0]), (rolledBack.FromVersion, rolledBack.ToVersion));
        Assert.Equal(versions[0], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        var last = (await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion))[^1];
        Assert.Equal((versions[1], versions[0], runId, "ops@example.com"), (last.FromVersion, last.ToVersion, last.PipelineRunId, last.ChangedBy));
        Assert.Equal($"rollback from v{versions[1]}: complaints about v2 in prod", last.Reason);
    }

    [Fact]
    public async Task To_a_named_version_the_champion_goes_there()
    {
        const string model = "dev.ml.churn_named";
        var versions = await RegisterAsync(model, 3);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        await hosts.Arrange.SetChampionAsync(model, versions[1], expected: versions[0]);
        await hosts.Arrange.SetChampionAsync(model, versions[2], expected: versions[1]);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: versions[0]);

        var rolledBack = (await hosts.Replies.WaitAsync<ModelRolledBack>(m => m.CorrelationId == runId)).Single();
        Assert.Equal((versions[2], versions[0]), (rolledBack.FromVersion, rolledBack.ToVersion));
        Assert.Equal(versions[0], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    [Fact]
    public async Task A_rollback_sent_again_does_not_roll_back_twice()
    {
        const string model = "dev.ml.churn_twice";
        var versions = await RegisterAsync(model, 2);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        await hosts.Arrange.SetChampionAsync(model, versions[1], expected: versions[0]);
        var runId = Guid.NewGuid();
        await hosts.RollbackAsync(runId, model, toVersion: null);
        await hosts.Replies.WaitAsync<ModelRolledBack>(m => m.CorrelationId == runId);

        await hosts.RollbackAsync(runId, model, toVersion: null);

        var replies = await hosts.Replies.WaitAsync<ModelRolledBack>(m => m.CorrelationId == runId, count: 2);
        Assert.All(replies, r => Assert.Equal((versions[1], versions[0]), (r.FromVersion, r.ToVersion)));
        Assert.Equal(versions[0], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        Assert.Equal(3, (await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion)).Count);
    }

    [Fact]
    public async Task Without_an_earlier_champion_it_fails()
    {
        const string model = "dev.ml.churn_only";
        var versions = await RegisterAsync(model, 1);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: null);

        var failed = (await hosts.Replies.WaitAsync<RollbackFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Contains($"no champion before v{versions[0]}", failed.Reason);
        Assert.Equal(versions[0], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    [Fact]
    public async Task To_an_archived_version_it_fails()
    {
        const string model = "dev.ml.churn_gone";
        var versions = await RegisterAsync(model, 2);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        await hosts.Arrange.SetChampionAsync(model, versions[1], expected: versions[0]);
        await hosts.Arrange.ArchiveAsync(model, versions[0]);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: null);

        var failed = (await hosts.Replies.WaitAsync<RollbackFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Contains($"v{versions[0]} is archived", failed.Reason);
        Assert.Equal(versions[1], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    [Fact]
    public async Task To_a_version_that_was_never_champion_it_is_refused_without_an_override()
    {
        const string model = "dev.ml.churn_never";
        var versions = await RegisterAsync(model, 3);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        await hosts.Arrange.SetChampionAsync(model, versions[2], expected: versions[0]);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: versions[1], reason: "v3 misbehaves");

        var failed = (await hosts.Replies.WaitAsync<RollbackFailed>(m => m.CorrelationId == runId)).Single();
        Assert.StartsWith($"{model} v{versions[1]} was never champion, so it is no rollback target", failed.Reason);
        Assert.Contains("--override", failed.Reason);
        Assert.Equal(versions[2], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        Assert.Equal(2, (await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion)).Count);
    }

    [Fact]
    public async Task To_a_version_that_was_never_champion_an_override_without_a_reason_is_refused()
    {
        const string model = "dev.ml.churn_no_reason";
        var versions = await RegisterAsync(model, 2);
        await hosts.Arrange.SetChampionAsync(model, versions[1], expected: null);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: versions[0], reason: " ", @override: true);

        var failed = (await hosts.Replies.WaitAsync<RollbackFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal($"A rollback of {model} to v{versions[0]}, which was never champion, overrides the rule and needs a reason.", failed.Reason);
        Assert.Equal(versions[1], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    [Fact]
    public async Task To_a_version_that_was_never_champion_an_override_with_a_reason_is_allowed_and_kept_in_the_history()
    {
        const string model = "dev.ml.churn_override";
        var versions = await RegisterAsync(model, 3);
        await hosts.Arrange.SetChampionAsync(model, versions[0], expected: null);
        await hosts.Arrange.SetChampionAsync(model, versions[2], expected: versions[0]);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: versions[1], reason: "v1 has the old schema", @override: true);

        var rolledBack = (await hosts.Replies.WaitAsync<ModelRolledBack>(m => m.CorrelationId == runId)).Single();
        Assert.Equal((versions[2], versions[1]), (rolledBack.FromVersion, rolledBack.ToVersion));
        Assert.Equal(versions[1], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        var last = (await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion))[^1];
        Assert.Equal($"rollback from v{versions[2]} (override: v{versions[1]} was never champion): v1 has the old schema", last.Reason);
    }

    [Fact]
    public async Task To_an_archived_version_it_fails_even_with_an_override()
    {
        const string model = "dev.ml.churn_gone_override";
        var versions = await RegisterAsync(model, 2);
        await hosts.Arrange.SetChampionAsync(model, versions[1], expected: null);
        await hosts.Arrange.ArchiveAsync(model, versions[0]);
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, model, toVersion: versions[0], reason: "try anyway", @override: true);

        var failed = (await hosts.Replies.WaitAsync<RollbackFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Contains($"v{versions[0]} is archived", failed.Reason);
        Assert.Equal(versions[1], await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    [Fact]
    public async Task For_an_unknown_model_it_fails()
    {
        var runId = Guid.NewGuid();

        await hosts.RollbackAsync(runId, "dev.ml.never_registered", toVersion: 1);

        var failed = (await hosts.Replies.WaitAsync<RollbackFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("dev.ml.never_registered is not a registered model.", failed.Reason);
    }

    private async Task<IReadOnlyList<int>> RegisterAsync(string model, int count)
    {
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(50, seed: 1));
        var versions = new List<int>();
        for (var i = 0; i < count; i++)
            versions.Add((await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7)).Version);
        return versions;
    }
}
