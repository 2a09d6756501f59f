using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_the_sklearn_trainer_trains_a_model(ExternalTrainerEnvironment environment)
    : IClassFixture<ExternalTrainerEnvironment>, IAsyncLifetime
{
    private static readonly Guid Run = Guid.NewGuid();
    private ModelRegistered _registered = null!;

    public async Task InitializeAsync()
    {
        if (environment.Replies(Run).Count == 0)
            await environment.PublishAsync(environment.ExternalCommand(Run, "sklearn_gbt",
                new Dictionary<string, string> { ["n_estimators"] = "40", ["seed"] = "42" }));
        _registered = await environment.RegisteredAsync(Run);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_portable_tree_ensemble_is_registered_like_a_built_in_model()
    {
        var version = await environment.VersionAsync(_registered.Version);

        Assert.NotNull(version);
        Assert.Equal((ModelFormats.Portable, "sklearn_gbt", "ready", Run), (version.ModelFormat, version.Trainer, version.Status, version.PipelineRunId));
        Assert.Equal(["tenure_months", "monthly_charges", "contract_type"], version.Signature.Inputs.Select(i => i.Name));
        Assert.Equal(["double", "double", "string"], version.Signature.Inputs.Select(i => i.Type));
        Assert.Equal(environment.RawBatchIds, version.RawBatchIds);
        Assert.Equal("churn-team", version.Tags["owner"]);
        Assert.Equal(_registered.ArtifactSha256, await environment.Service<ArtifactStore>().FindAsync(_registered.TrainingRunId, "model.json"));

        var model = Assert.IsType<CompiledModel>(ModelFormats.Load(version.ModelFormat, await environment.Service<ArtifactStore>().GetAsync(version.ArtifactSha256)));
        Assert.Equal(ModelDocument.TreeEnsembleKind, model.Document.Kind);
        Assert.Equal(40, model.Document.TreeEnsemble!.Trees.Count);
        Assert.Equal(("sklearn_gbt", TrainingEnvironment.CodeVersion, "42"), (model.Document.Metadata["trainer"], model.Document.Metadata["code_version"], model.Document.Metadata["seed"]));
        var probability = model.Score([6.0, 95.5, "month_to_month"]);
        Assert.InRange(probability, 0.5, 1);
        Assert.InRange(model.Score([60.0, 30.0, "two_year"]), 0, probability);
    }

    [Fact]
    public async Task Its_metrics_are_Trainings_own_scoring_of_the_validation_and_holdout_splits()
    {
        var version = (await environment.VersionAsync(_registered.Version))!;
        var model = ModelFormats.Load(version.ModelFormat, await environment.Service<ArtifactStore>().GetAsync(version.ArtifactSha256));
        var store = environment.Service<FeatureStore>();
        var frame = await store.ReadVersionAsync((await store.FindTableAsync(TrainingEnvironment.FeatureTable))!, environment.FeatureVersion);
        var split = new DatasetSplit(42);

        foreach (var (partition, prefix) in new[] { (Partition.Validation, ""), (Partition.Holdout, "holdout_") })
        {
            var rows = frame.Rows(split.Rows(frame.EntityIds, partition).Where(row => !double.IsNaN(frame.Labels![row])).ToArray());
            var metrics = ClassificationMetrics.Compute(rows.Labels!, model.Score(rows));
            Assert.Equal(metrics.Auc, version.Metrics[prefix + "auc"], 12);
            Assert.Equal(metrics.LogLoss, version.Metrics[prefix + "log_loss"], 12);
        }
        Assert.True(version.Metrics["auc"] > 0.75, $"Validation AUC {version.Metrics["auc"]} on a learnable process");
        Assert.Equal(version.Metrics, _registered.Metrics);
    }

    [Fact]
    public async Task The_tracking_run_keeps_the_trainers_parameters_metrics_and_output()
    {
        var run = await environment.Service<TrackingStore>().FindAsync(_registered.TrainingRunId);

        Assert.NotNull(run);
        Assert.Equal(("finished", "sklearn_gbt"), (run.Status, run.Trainer));
        Assert.Equal(new Dictionary<string, string>
        {
            ["seed"] = "42", ["n_estimators"] = "40", ["learning_rate"] = "0.1", ["max_depth"] = "3", ["subsample"] = "1.0", ["min_samples_leaf"] = "1",
            ["max_categories"] = "50",
        }, run.Parameters);
        // The trainer's own metrics.json, beside Training's judgement of the model.
        Assert.Equal(40, run.Metrics["train_trees"]);
        Assert.InRange(run.Metrics["train_validation_auc"], 0.75, 1);
        Assert.True(run.Metrics["train_duration_seconds"] > 0);
        Assert.Contains("fitted 40 trees", await environment.ArtifactTextAsync(run.RunId, "stdout.txt"));
        Assert.NotNull(await environment.ArtifactTextAsync(run.RunId, "stderr.txt"));
        Assert.NotNull(await environment.ArtifactTextAsync(run.RunId, ReferenceProfile.ArtifactName));
    }

    [Fact]
    public void Its_work_directory_is_removed()
    {
        Assert.Empty(Directory.Exists(environment.WorkDirectory) ? Directory.EnumerateFileSystemEntries(environment.WorkDirectory) : []);
    }

    [Fact]
    public async Task A_trainer_reading_parquet_gets_parquet_files()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "scripted_parquet"));

        var registered = await environment.RegisteredAsync(runId);

        var stdout = await environment.ArtifactTextAsync(registered.TrainingRunId, "stdout.txt");
        Assert.Contains("train.parquet starts with b'PAR1'", stdout);
        Assert.Contains("features tenure_months,monthly_charges,contract_type, seed 42", stdout);
    }

    [Fact]
    public async Task A_model_may_take_a_subset_of_the_features()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "scripted", new Dictionary<string, string> { ["mode"] = "subset" }));

        var registered = await environment.RegisteredAsync(runId);

        var version = (await environment.VersionAsync(registered.Version))!;
        Assert.Equal(["tenure_months"], version.Signature.Inputs.Select(i => i.Name));
        var profile = await environment.ArtifactTextAsync(registered.TrainingRunId, ReferenceProfile.ArtifactName);
        Assert.Equal(["tenure_months"], Mlops.Catalog.CatalogJson.Deserialize<ReferenceProfile>(profile!).Features.Select(f => f.Name));
    }

    [Fact]
    public async Task Output_beyond_the_limit_keeps_its_end()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "scripted", new Dictionary<string, string> { ["mode"] = "noisy" }));

        var registered = await environment.RegisteredAsync(runId);

        var stdout = (await environment.ArtifactTextAsync(registered.TrainingRunId, "stdout.txt"))!;
        Assert.StartsWith("[the first ", stdout);
        Assert.Contains("the last line of a noisy trainer", stdout);
        Assert.InRange(stdout.Length, ExternalTrainerEnvironment.MaxLogBytes, ExternalTrainerEnvironment.MaxLogBytes + 100);
    }
}
