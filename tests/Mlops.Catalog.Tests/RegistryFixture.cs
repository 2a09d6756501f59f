using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Testing;

namespace Mlops.Catalog.Tests;

/// <summary>A host with the catalog, and a way to register versions of a model without running training.</summary>
public sealed class RegistryFixture : TestEnvironment
{
    public WebApplication Host { get; private set; } = null!;

    public ModelRegistry Registry => Host.Services.GetRequiredService<ModelRegistry>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await CatalogTestHost.StartAsync(this);
    }

    public Task<int> RegisterAsync(string modelName, double intercept = 0) =>
        Host.InTransactionAsync(async session =>
        {
            var runId = Guid.NewGuid();
            var document = new ModelDocument
            {
                Kind = ModelDocument.LogisticRegressionKind,
                Signature = new ModelSignature { Inputs = [new SignatureColumn("x", SignatureColumn.Double)] },
                LogisticRegression = new LogisticRegressionParameters { Intercept = intercept, Coefficients = new Dictionary<string, double> { ["x"] = 1 } },
            };
            await Host.Services.GetRequiredService<TrackingStore>().StartAsync(session, new TrackingRun
            {
                RunId = runId, Experiment = modelName, Trainer = "test", CodeVersion = "abc123", Parameters = new Dictionary<string, string>(),
                FeatureTable = "t", FeatureVersion = 1, Principal = "test",
            });
            var sha = await Host.Services.GetRequiredService<ArtifactStore>().PutAsync(session, runId, "model.json", CompiledModel.Serialize(document));
            return await Registry.RegisterVersionAsync(session, new NewModelVersion
            {
                ModelName = ModelName.Parse(modelName), Signature = document.Signature, TrainingRunId = runId, ArtifactSha256 = sha,
                CodeVersion = "abc123", Trainer = "test", FeatureTable = "t", FeatureVersion = 1, RawBatchIds = [Guid.NewGuid()],
                Metrics = new Dictionary<string, double> { ["auc"] = 0.8 }, Principal = "test",
                Tags = new Dictionary<string, string> { ["pii"] = "false" },
            });
        });

    public override async Task DisposeAsync()
    {
        await Host.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
