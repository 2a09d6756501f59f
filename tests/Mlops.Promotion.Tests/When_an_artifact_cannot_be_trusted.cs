using System.Text;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_an_artifact_cannot_be_trusted(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    [Fact]
    public async Task A_tampered_artifact_fails_the_evaluation_naming_the_integrity_check()
    {
        const string model = "dev.ml.churn_tampered";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 1));
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var tampered = CompiledModel.Serialize(ChurnData.Good(intercept: 9));
        await hosts.Database.ExecuteAsync("UPDATE tracking.artifact_blobs SET content = @tampered WHERE sha256 = @sha",
            new { tampered, sha = challenger.ArtifactSha256 });
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var failed = (await hosts.Replies.WaitAsync<EvaluationFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(challenger.Version, failed.Version);
        Assert.Contains($"Artifact {challenger.ArtifactSha256} failed its integrity check", failed.Reason);
        Assert.Equal(0, await hosts.PublishedAsync<ChallengerEvaluated>(runId));
        Assert.Null(await hosts.Registry.FindAliasAsync(model, ModelAliases.Challenger));
    }

    [Fact]
    public async Task An_artifact_that_is_no_model_fails_the_evaluation()
    {
        const string model = "dev.ml.churn_garbage";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 1));
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7, Encoding.UTF8.GetBytes("{\"weights\": [1, 2, 3]}"));
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var failed = (await hosts.Replies.WaitAsync<EvaluationFailed>(m => m.CorrelationId == runId)).Single();
        Assert.StartsWith($"v{challenger.Version}'s model cannot be loaded", failed.Reason);
    }
}
