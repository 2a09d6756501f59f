using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Hosting.Data;

namespace Mlops.Compliance.Tests;

/// <summary>
/// Puts a model version and its lineage (raw batch, feature version, tracking run, artifact) into the catalog, as the services
/// upstream would, in a session of <c>newSession</c> (the owner's: no one service writes all of it).
/// </summary>
public sealed class VersionArranger(IServiceProvider services, Func<DbSession> newSession)
{
    private static readonly FeatureTableDefinition Features = new()
    {
        Name = "churn_features", EntityColumn = "customer_id", SourceTable = "raw.churn_customers", LabelColumn = "churned",
        Columns = [new FeatureColumn("tenure_months", FeatureType.Numeric), new FeatureColumn("monthly_charges", FeatureType.Numeric)],
    };

    public async Task<int> RegisterAsync(string modelName, VersionSpec spec)
    {
        var name = ModelName.Parse(modelName);
        await using var session = newSession();
        await session.BeginAsync();

        var batchId = Guid.NewGuid();
        if (spec.RawBatchRegistered)
            await services.GetRequiredService<RawBatches>().RegisterAsync(session, new RawBatch(batchId, Features.SourceTable, 3, "test", null, DateTime.UtcNow));

        var features = services.GetRequiredService<FeatureStore>();
        await features.EnsureTableAsync(session, Features);
        var frame = new FeatureFrame(Features.Columns, [1, 2, 3],
            new Dictionary<string, double[]> { ["tenure_months"] = [1, 24, 60], ["monthly_charges"] = [90, 60, 30] },
            new Dictionary<string, string?[]>(), [1, 0, 0]);
        var featureVersion = await features.WriteVersionAsync(session, Features, frame, [batchId], null, [], "test");

        var runId = Guid.NewGuid();
        var document = new ModelDocument
        {
            Kind = ModelDocument.LogisticRegressionKind,
            Signature = new ModelSignature { Inputs = [new SignatureColumn("tenure_months", SignatureColumn.Double), new SignatureColumn("monthly_charges", SignatureColumn.Double)] },
            LogisticRegression = new LogisticRegressionParameters { Intercept = -0.5, Coefficients = new Dictionary<string, double> { ["tenure_months"] = -0.04, ["monthly_charges"] = 0.02 } },
            Metadata = new Dictionary<string, string> { ["run"] = runId.ToString() },
        };
        var tracking = services.GetRequiredService<TrackingStore>();
        await tracking.StartAsync(session, new TrackingRun
        {
            RunId = runId, Experiment = modelName, Trainer = "logistic_regression", CodeVersion = spec.CodeVersion,
            Parameters = new Dictionary<string, string> { ["seed"] = "42" }, FeatureTable = Features.Name, FeatureVersion = featureVersion, Principal = "test",
        });
        await tracking.FinishAsync(session, runId, spec.Metrics);
        var sha256 = await services.GetRequiredService<ArtifactStore>().PutAsync(session, runId, "model.json", CompiledModel.Serialize(document));

        var registry = services.GetRequiredService<ModelRegistry>();
        await registry.EnsureModelAsync(session, name, spec.ModelDescription, "test");
        var version = await registry.RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = name, Description = spec.VersionDescription, Signature = document.Signature, TrainingRunId = spec.TrainingRunTracked ? runId : Guid.NewGuid(), ArtifactSha256 = sha256,
            CodeVersion = spec.CodeVersion, Trainer = "logistic_regression", FeatureTable = Features.Name, FeatureVersion = featureVersion,
            RawBatchIds = [batchId], Metrics = spec.Metrics, Principal = "test", Tags = spec.Tags,
        });
        await session.CommitAsync();
        return version;
    }
}
