using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Registry;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// A second file of loan applications retrains both models of the domain; each challenger, whatever its format, is evaluated
/// against its champion (the Python model's portable JSON, the ONNX graph) on the new version's holdout, and promoted by the rule.
/// </summary>
public sealed class When_the_second_domain_lands_again(SecondDomainFixture platform) : IClassFixture<SecondDomainFixture>
{
    [Fact]
    public async Task Each_external_trainer_s_challenger_is_evaluated_against_its_champion_on_the_same_holdout()
    {
        var first = await platform.LandedBatchAsync();
        var champions = new Dictionary<string, int>();
        foreach (var model in new[] { SecondDomainFixture.GbtModel, SecondDomainFixture.OnnxModel })
        {
            var run = await platform.FinishedRunAsync(model, first);
            Assert.Equal(("Completed", null), (run.CurrentState, run.FailureReason));
            champions[model] = run.ModelVersion!.Value;
        }

        var (status, body) = await platform.LandFileAsync(LoanApplications.Csv(2_000, seed: 43, firstId: 10_001), "more applications");
        Assert.True(status == 201, $"landing: {status} {body}");
        var second = JsonDocument.Parse(body).RootElement.GetProperty("batchId").GetGuid();

        var registry = platform.Services.GetRequiredService<ModelRegistry>();
        foreach (var model in champions.Keys)
        {
            var run = await platform.FinishedRunAsync(model, second);
            var evaluation = run.Evaluation;
            Assert.True(evaluation is not null, $"{model}: no evaluation ({run.CurrentState}: {run.FailureReason})");
            Assert.Equal(champions[model], run.ChampionBefore);
            Assert.NotNull(evaluation.ChampionScore);
            Assert.InRange(evaluation.HoldoutRows, 100, 2_000);
            Assert.Equal(evaluation.ChallengerScore >= evaluation.RequiredScore, evaluation.Promote);
            Assert.Equal(evaluation.Promote ? "Completed" : "Rejected", run.CurrentState);
            Assert.Equal(evaluation.Promote ? run.ModelVersion : champions[model], await registry.FindAliasAsync(model, ModelAliases.Champion));
        }
    }
}
