using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Hosting.Data;
using Mlops.Testing;

namespace Mlops.BatchScoring.Tests;

/// <summary>
/// Writes what Feature Refresh, Training, Promotion and Monitoring would have, each under its own role: a feature table with
/// versions per environment, registered versions of a small two-feature model, the champion alias and reference profiles.
/// </summary>
public sealed class BatchScoringArranger(TestEnvironment environment, IServiceProvider services)
{
    public static readonly FeatureTableDefinition Table = new()
    {
        Name = "batch_accounts",
        EntityColumn = "account_id",
        Columns = [new FeatureColumn("x", FeatureType.Numeric), new FeatureColumn("y", FeatureType.Numeric), new FeatureColumn("plan", FeatureType.Categorical)],
        SourceTable = "raw.batch_accounts",
    };

    /// <summary>The model every version registers: a logistic regression over x and y.</summary>
    public static ModelDocument Model(double intercept) => new()
    {
        Kind = ModelDocument.LogisticRegressionKind,
        Signature = new ModelSignature { Inputs = [new SignatureColumn("x", SignatureColumn.Double), new SignatureColumn("y", SignatureColumn.Double)] },
        LogisticRegression = new LogisticRegressionParameters
        {
            Intercept = intercept, Coefficients = new Dictionary<string, double> { ["x"] = 0.8, ["y"] = -1.3 },
        },
    };

    /// <summary>
    /// Entities <paramref name="firstEntity"/>, +3, +6, ... (gaps, so unknown keys exist between them); some y values missing
    /// (NaN), as real feature tables have.
    /// </summary>
    public static FeatureFrame Frame(int rows, long firstEntity = 1000, int seed = 7)
    {
        var random = new Random(seed);
        var ids = new long[rows];
        var x = new double[rows];
        var y = new double[rows];
        var plan = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = firstEntity + 3L * i;
            x[i] = random.NextDouble() * 4 - 2;
            y[i] = i % 17 == 0 ? double.NaN : random.NextDouble() * 2;
            plan[i] = i % 3 == 0 ? "basic" : "pro";
        }
        return new FeatureFrame(Table.Columns, ids, new Dictionary<string, double[]> { ["x"] = x, ["y"] = y },
            new Dictionary<string, string?[]> { ["plan"] = plan }, null);
    }

    public async Task<int> WriteFeaturesAsync(FeatureFrame frame, string featureEnvironment)
    {
        var features = services.GetRequiredService<FeatureStore>();
        await using var session = environment.SessionAs("feature-refresh");
        await session.BeginAsync();
        await features.EnsureTableAsync(session, Table);
        var version = await features.WriteVersionAsync(session, Table, frame, [Guid.NewGuid()], null, [], "test", featureEnvironment);
        await session.CommitAsync();
        return version;
    }

    public async Task<int> RegisterAsync(string modelName, ModelDocument document, int featureVersion)
    {
        await using var session = environment.SessionAs("training");
        await session.BeginAsync();
        var runId = Guid.NewGuid();
        await services.GetRequiredService<TrackingStore>().StartAsync(session, new TrackingRun
        {
            RunId = runId, Experiment = modelName, Trainer = "logistic_regression", CodeVersion = "c0ffee1", Parameters = new Dictionary<string, string>(),
            FeatureTable = Table.Name, FeatureVersion = featureVersion, Principal = "test",
        });
        var sha256 = await services.GetRequiredService<ArtifactStore>().PutAsync(session, runId, ModelFormats.ArtifactName(ModelFormats.Portable),
            CompiledModel.Serialize(document));
        var version = await services.GetRequiredService<ModelRegistry>().RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = ModelName.Parse(modelName), Signature = document.Signature, TrainingRunId = runId, ArtifactSha256 = sha256, CodeVersion = "c0ffee1",
            Trainer = "logistic_regression", FeatureTable = Table.Name, FeatureVersion = featureVersion, RawBatchIds = [Guid.NewGuid()],
            Metrics = new Dictionary<string, double> { ["auc"] = 0.8 }, Principal = "test",
        });
        await session.CommitAsync();
        return version;
    }

    public async Task SetChampionAsync(string modelName, int version)
    {
        await using var session = environment.SessionAs("promotion");
        await session.BeginAsync();
        var registry = services.GetRequiredService<ModelRegistry>();
        var current = await registry.FindAliasAsync(session, modelName, ModelAliases.Champion);
        await registry.SetAliasAsync(session, modelName, ModelAliases.Champion, version, current, "test", "arranged");
        await session.CommitAsync();
    }

    /// <summary>The training profile monitoring measures drift against, built from <paramref name="frame"/>.</summary>
    public async Task SaveReferenceAsync(string modelName, int version, FeatureFrame frame, ModelDocument document)
    {
        var predictions = CompiledModel.Load(CompiledModel.Serialize(document)).Score(frame);
        var profile = new ReferenceProfile
        {
            ModelName = modelName, RowCount = frame.RowCount,
            Features = [ProfileBuilder.Numeric("x", frame.Numeric["x"]), ProfileBuilder.Numeric("y", frame.Numeric["y"])],
            Prediction = ProfileBuilder.Numeric("prediction", predictions),
        };
        await using var connection = await environment.DataSourceAs("monitoring").OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            INSERT INTO monitoring.reference_profiles (model_name, version, artifact_sha256, profile) VALUES (@model, @version, 'test', @profile::jsonb)
            """, connection);
        command.Parameters.AddWithValue("model", modelName);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.AddWithValue("profile", CatalogJson.Serialize(profile));
        await command.ExecuteNonQueryAsync();
    }
}
