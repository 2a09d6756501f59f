using System.Text;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Hosting.Telemetry;
using Mlops.Testing;
using Mlops.Training.Consumers;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_a_model_is_trained_on_a_feature_version(TrainingEnvironment environment)
    : IClassFixture<TrainingEnvironment>, IAsyncLifetime
{
    private static readonly Guid FirstRun = Guid.NewGuid();
    private ModelRegistered _registered = null!;

    public async Task InitializeAsync()
    {
        // Every test here looks at the same first run; whichever runs first trains it, so it is always version 1.
        if (environment.Replies(FirstRun).Count == 0)
            await environment.PublishAsync(environment.Command(FirstRun));
        _registered = await environment.RegisteredAsync(FirstRun);
    }

    [Fact]
    public async Task Version_1_is_registered_with_its_lineage_metrics_and_tags()
    {
        var version = await environment.Service<ModelRegistry>().FindVersionAsync(TrainingEnvironment.Model, _registered.Version);

        Assert.Equal(1, _registered.Version);
        Assert.NotNull(version);
        Assert.Equal(("ready", _registered.TrainingRunId, _registered.ArtifactSha256), (version.Status, version.TrainingRunId, version.ArtifactSha256));
        Assert.Equal((TrainingEnvironment.FeatureTable, environment.FeatureVersion), (version.FeatureTable, version.FeatureVersion));
        Assert.Equal(environment.RawBatchIds, version.RawBatchIds);
        Assert.Equal((TrainingEnvironment.CodeVersion, "logistic_regression", FirstRun), (version.CodeVersion, version.Trainer, version.PipelineRunId));
        Assert.Equal("alice@example.com", version.CreatedBy);
        Assert.Equal("Churn propensity (configured)", version.Description);
        Assert.Equal(_registered.TraceId, version.TraceId);
        Assert.Matches("^[0-9a-f]{32}$", version.TraceId);
        Assert.Equal(["tenure_months", "monthly_charges", "contract_type"], version.Signature.Inputs.Select(i => i.Name));

        // The message's tags win over the configured defaults, which fill in the rest.
        Assert.Equal("none", version.Tags["pii"]);
        Assert.Equal("churn-team", version.Tags["owner"]);
        Assert.Equal("r42", version.Tags["release"]);

        Assert.True(version.Metrics["auc"] > 0.75, $"Validation AUC {version.Metrics["auc"]} on a learnable process");
        Assert.True(version.Metrics["holdout_auc"] > 0.75, $"Holdout AUC {version.Metrics["holdout_auc"]} on a learnable process");
        foreach (var metric in new[] { "auc", "accuracy", "f1", "log_loss", "holdout_auc", "holdout_accuracy", "holdout_f1", "holdout_log_loss" })
            Assert.True(version.Metrics.ContainsKey(metric), $"The version has no {metric} metric.");
        Assert.Equal(version.Metrics, _registered.Metrics);

        var trained = Assert.Single(environment.Replies(FirstRun).OfType<ModelTrained>());
        Assert.Equal((_registered.TrainingRunId, "alice@example.com"), (trained.TrainingRunId, trained.Principal));
        Assert.Equal(_registered.Metrics, trained.Metrics);
    }

    [Fact]
    public async Task The_tracking_run_records_parameters_metrics_code_and_data()
    {
        var run = await environment.Service<TrackingStore>().FindAsync(_registered.TrainingRunId);

        Assert.NotNull(run);
        Assert.Equal(("finished", TrainingEnvironment.Model, FirstRun), (run.Status, run.Experiment, run.PipelineRunId));
        Assert.Equal((TrainingEnvironment.CodeVersion, TrainingEnvironment.FeatureTable, environment.FeatureVersion), (run.CodeVersion, run.FeatureTable, run.FeatureVersion));
        Assert.Equal(_registered.TraceId, run.TraceId);
        Assert.Equal(new Dictionary<string, string>
        {
            ["seed"] = "42", ["l2"] = "1", ["max_iterations"] = "100", ["tolerance"] = "1E-06", ["max_categories"] = "50",
        }, run.Parameters);
        Assert.All(_registered.Metrics, metric => Assert.Equal(metric.Value, run.Metrics[metric.Key]));
        Assert.InRange(run.Metrics["train_iterations"], 2, 20);
    }

    [Fact]
    public async Task The_model_artifact_is_stored_by_content_and_reproduces_the_registered_metrics()
    {
        var artifacts = environment.Service<ArtifactStore>();
        Assert.Equal(_registered.ArtifactSha256, await artifacts.FindAsync(_registered.TrainingRunId, TrainModelConsumer.ModelArtifact));

        var bytes = await artifacts.GetAsync(_registered.ArtifactSha256);
        var model = CompiledModel.Load(bytes);

        Assert.Equal(_registered.ArtifactSha256, ArtifactStore.Sha256Of(bytes));
        var store = environment.Service<Mlops.Catalog.Features.FeatureStore>();
        var frame = await store.ReadVersionAsync((await store.FindTableAsync(TrainingEnvironment.FeatureTable))!, environment.FeatureVersion);
        var validation = frame.Rows(new DatasetSplit(42).Rows(frame.EntityIds, Partition.Validation));
        var metrics = ClassificationMetrics.Compute(validation.Labels!, model.Score(validation));
        Assert.Equal(_registered.Metrics["auc"], metrics.Auc, 12);
        Assert.Equal(_registered.Metrics["log_loss"], metrics.LogLoss, 12);
        Assert.Equal(("3f2c1a9", "churn_features", "42"), (model.Document.Metadata["code_version"], model.Document.Metadata["feature_table"], model.Document.Metadata["seed"]));
    }

    [Fact]
    public async Task The_reference_profile_describes_the_training_rows_and_their_predictions()
    {
        var artifacts = environment.Service<ArtifactStore>();
        var sha256 = await artifacts.FindAsync(_registered.TrainingRunId, ReferenceProfile.ArtifactName);
        Assert.NotNull(sha256);

        var profile = CatalogJson.Deserialize<ReferenceProfile>(Encoding.UTF8.GetString(await artifacts.GetAsync(sha256)));

        var store = environment.Service<Mlops.Catalog.Features.FeatureStore>();
        var frame = await store.ReadVersionAsync((await store.FindTableAsync(TrainingEnvironment.FeatureTable))!, environment.FeatureVersion);
        var training = new DatasetSplit(42).Rows(frame.EntityIds, Partition.Train);
        Assert.Equal((TrainingEnvironment.Model, (long)training.Length), (profile.ModelName, profile.RowCount));
        Assert.Equal(["tenure_months", "monthly_charges", "contract_type"], profile.Features.Select(f => f.Name));
        var charges = profile.Features.Single(f => f.Name == "monthly_charges");
        Assert.Equal(training.Select(row => frame.Numeric["monthly_charges"][row]).Where(double.IsFinite).Average(), charges.Mean!.Value, 9);
        Assert.InRange(charges.NullRate, 0.01, 0.06);
        Assert.Equal(["month_to_month", "one_year", "two_year"], profile.Features.Single(f => f.Name == "contract_type").Categories);
        Assert.Equal(training.Length, profile.Prediction.Count);
        Assert.InRange(profile.Prediction.Mean!.Value, 0.05, 0.95);
        Assert.Equal(_registered.Metrics.Where(m => !m.Key.StartsWith("holdout_")), profile.BaselineMetrics);
    }

    [Fact]
    public async Task A_resent_command_for_the_run_registers_nothing_new_and_answers_again()
    {
        await environment.PublishAsync(environment.Command(FirstRun));

        var again = await environment.RegisteredAsync(FirstRun, count: 2);

        Assert.Equal((_registered.Version, _registered.TrainingRunId, _registered.ArtifactSha256, _registered.TraceId),
            (again.Version, again.TrainingRunId, again.ArtifactSha256, again.TraceId));
        Assert.Equal(_registered.Metrics, again.Metrics);
        await Eventually.WaitAsync(() => Task.FromResult(environment.Replies(FirstRun).OfType<ModelTrained>().Count()), n => n == 2, "ModelTrained again");
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM registry.model_versions WHERE pipeline_run_id = @FirstRun", new { FirstRun }));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM tracking.runs WHERE pipeline_run_id = @FirstRun", new { FirstRun }));
    }

    [Fact]
    public async Task Another_run_on_the_same_data_and_seed_registers_the_next_version_with_the_identical_model()
    {
        var secondRun = Guid.NewGuid();
        await environment.PublishAsync(environment.Command(secondRun));

        var second = await environment.RegisteredAsync(secondRun);

        Assert.True(second.Version > _registered.Version);
        Assert.NotEqual(_registered.TrainingRunId, second.TrainingRunId);
        Assert.Equal(_registered.ArtifactSha256, second.ArtifactSha256);
        Assert.Equal(_registered.Metrics, second.Metrics);
    }

    [Fact]
    public async Task The_train_span_carries_the_run_the_model_and_the_version()
    {
        var spans = await Eventually.WaitAsync(
            () => Task.FromResult(environment.Spans.Spans.Where(s => s.OperationName == "train" && s.TraceId.ToHexString() == _registered.TraceId).ToList()),
            s => s.Count > 0, "the train span in the first run's trace");

        var span = Assert.Single(spans);
        Assert.Equal(FirstRun.ToString(), span.GetTagItem(MlopsTelemetry.RunIdTag)?.ToString());
        Assert.Equal(TrainingEnvironment.Model, span.GetTagItem(MlopsTelemetry.ModelTag));
        Assert.Equal(_registered.Version, span.GetTagItem(MlopsTelemetry.ModelVersionTag));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
