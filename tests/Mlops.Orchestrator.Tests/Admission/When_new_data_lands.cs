using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_new_data_lands
{
    private const string Landing = "raw.churn_customers";

    [Theory]
    [InlineData(NewDataPolicy.Retrain)]
    [InlineData(NewDataPolicy.RetrainUntilChampion)]
    public void A_model_that_retrains_on_it_is_concerned_by_batches_of_its_table_in_its_environment(NewDataPolicy policy)
    {
        var model = Model(policy);

        Assert.True(NewDataRules.Concerns(model, Landing, "dev"));
        Assert.False(NewDataRules.Concerns(model, "raw.other_landing", "dev"));
        Assert.False(NewDataRules.Concerns(model, Landing, "prod"));
    }

    [Fact]
    public void A_model_that_ignores_new_data_is_not_concerned() =>
        Assert.False(NewDataRules.Concerns(Model(NewDataPolicy.Ignore), Landing, "dev"));

    [Theory]
    [InlineData(null)]
    [InlineData(7)]
    public void Retrain_starts_a_run_on_every_batch_champion_or_not(int? champion)
    {
        Assert.False(NewDataRules.NeedsChampion(Model(NewDataPolicy.Retrain)));
        Assert.Null(NewDataRules.ReasonToDecline(Model(NewDataPolicy.Retrain), champion));
    }

    [Fact]
    public void RetrainUntilChampion_starts_a_run_while_the_model_has_no_champion()
    {
        Assert.True(NewDataRules.NeedsChampion(Model(NewDataPolicy.RetrainUntilChampion)));
        Assert.Null(NewDataRules.ReasonToDecline(Model(NewDataPolicy.RetrainUntilChampion), championVersion: null));
    }

    [Fact]
    public void RetrainUntilChampion_declines_once_the_model_has_a_champion_and_says_what_retrains_it() =>
        Assert.Equal(
            "dev.ml.churn has a champion (version 7) and OnNewData is RetrainUntilChampion: new data only lands; " +
            "drift, degraded performance, the schedule, code releases and manual requests retrain it.",
            NewDataRules.ReasonToDecline(Model(NewDataPolicy.RetrainUntilChampion), championVersion: 7));

    private static PipelineModelOptions Model(NewDataPolicy policy) =>
        new() { Name = "dev.ml.churn", FeatureTable = "churn_features", SourceTable = Landing, OnNewData = policy };
}
