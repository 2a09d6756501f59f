using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Tracking;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_a_stored_model_artifact_is_tampered_with(TrainingEnvironment environment) : IClassFixture<TrainingEnvironment>
{
    [Fact]
    public async Task Loading_it_fails_with_an_integrity_error_that_names_it()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.Command(runId));
        var registered = await environment.RegisteredAsync(runId);
        var artifacts = environment.Service<ArtifactStore>();
        Assert.NotEmpty(await artifacts.GetAsync(registered.ArtifactSha256));

        await environment.Database.ExecuteAsync(
            "UPDATE tracking.artifact_blobs SET content = set_byte(content, 40, get_byte(content, 40) # 1) WHERE sha256 = @ArtifactSha256",
            new { registered.ArtifactSha256 });

        var failure = await Assert.ThrowsAsync<ArtifactIntegrityException>(() => artifacts.GetAsync(registered.ArtifactSha256));
        Assert.Equal(registered.ArtifactSha256, failure.ExpectedSha256);
        Assert.NotEqual(registered.ArtifactSha256, failure.ActualSha256);
        Assert.Contains(registered.ArtifactSha256, failure.Message);
        Assert.Contains("changed after it was stored", failure.Message);

        var profile = await artifacts.FindAsync(registered.TrainingRunId, ReferenceProfile.ArtifactName);
        Assert.NotEmpty(await artifacts.GetAsync(profile!));
    }
}
