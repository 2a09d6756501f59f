using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_promoting(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    [Fact]
    public async Task The_champion_moves_and_the_alias_history_records_every_move()
    {
        const string model = "dev.ml.churn_moves";
        var (first, second) = await RegisterTwoAsync(model);
        var firstRun = Guid.NewGuid();
        var secondRun = Guid.NewGuid();

        await hosts.PromoteAsync(firstRun, model, first, expectedChampion: null);
        var firstPromotion = (await hosts.Replies.WaitAsync<ModelPromoted>(m => m.CorrelationId == firstRun)).Single();
        await hosts.PromoteAsync(secondRun, model, second, expectedChampion: first);
        var secondPromotion = (await hosts.Replies.WaitAsync<ModelPromoted>(m => m.CorrelationId == secondRun)).Single();

        Assert.Equal((first, (int?)null), (firstPromotion.Version, firstPromotion.PreviousVersion));
        Assert.Equal((second, (int?)first), (secondPromotion.Version, secondPromotion.PreviousVersion));
        Assert.Equal(second, await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        var history = await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion);
        Assert.Equal(
            [(null, first, firstRun, "svc-pipeline"), ((int?)first, second, secondRun, "svc-pipeline")],
            history.Select(h => (h.FromVersion, h.ToVersion, h.PipelineRunId, h.ChangedBy)));
    }

    [Fact]
    public async Task A_stale_expected_champion_is_rejected_and_the_champion_stays()
    {
        const string model = "dev.ml.churn_stale";
        var (first, second) = await RegisterTwoAsync(model);
        await hosts.Arrange.SetChampionAsync(model, first, expected: null);
        await hosts.Arrange.SetChampionAsync(model, second, expected: first);
        var third = (await RegisterTwoAsync(model)).First;
        var runId = Guid.NewGuid();

        await hosts.PromoteAsync(runId, model, third, expectedChampion: first);

        var rejected = (await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(third, rejected.Version);
        Assert.Contains($"is now v{second}, not v{first}", rejected.Reason);
        Assert.Equal(0, await hosts.PublishedAsync<ModelPromoted>(runId));
        Assert.Equal(second, await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        Assert.Equal(2, (await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion)).Count);
    }

    [Fact]
    public async Task A_promotion_sent_again_answers_again_and_moves_nothing()
    {
        const string model = "dev.ml.churn_resent";
        var (first, second) = await RegisterTwoAsync(model);
        await hosts.Arrange.SetChampionAsync(model, first, expected: null);
        var runId = Guid.NewGuid();
        await hosts.PromoteAsync(runId, model, second, expectedChampion: first);
        await hosts.Replies.WaitAsync<ModelPromoted>(m => m.CorrelationId == runId);

        await hosts.PromoteAsync(runId, model, second, expectedChampion: first);

        var replies = await hosts.Replies.WaitAsync<ModelPromoted>(m => m.CorrelationId == runId, count: 2);
        Assert.All(replies, r => Assert.Equal((second, (int?)first), (r.Version, r.PreviousVersion)));
        Assert.Empty(hosts.Replies.Of<PromotionRejected>(m => m.CorrelationId == runId));
        Assert.Equal(2, (await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Champion)).Count);
    }

    [Fact]
    public async Task An_archived_version_is_not_promoted()
    {
        const string model = "dev.ml.churn_archived";
        var (first, _) = await RegisterTwoAsync(model);
        await hosts.Arrange.ArchiveAsync(model, first);
        var runId = Guid.NewGuid();

        await hosts.PromoteAsync(runId, model, first, expectedChampion: null);

        var rejected = (await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == runId)).Single();
        Assert.Contains("archived", rejected.Reason);
        Assert.Null(await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    private async Task<(int First, int Second)> RegisterTwoAsync(string model)
    {
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(50, seed: 1));
        var first = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var second = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        return (first.Version, second.Version);
    }
}
