using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Testing;
using Xunit.Sdk;

namespace Mlops.Training.Tests;

/// <summary>
/// A test class's world: its own database and virtual host, the real training service in-process, a second host that
/// records the answers, and a feature table with one version of synthetic churn data written straight into the store.
/// </summary>
public class TrainingEnvironment : TestEnvironment
{
    public const string Model = "dev.ml.churn";
    public const string FeatureTable = "churn_features";
    public const string CodeVersion = "3f2c1a9";

    /// <summary>The training service; a test that stops it mid-step puts the instance that took over here.</summary>
    public WebApplication Training { get; set; } = null!;

    public WebApplication Recorder { get; private set; } = null!;

    public IReadOnlyList<Guid> RawBatchIds { get; } = [Guid.NewGuid(), Guid.NewGuid()];

    public int FeatureVersion { get; private set; }

    public T Service<T>() where T : notnull => Training.Services.GetRequiredService<T>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Training = await StartTrainingAsync("training");
        Recorder = await TestHost.StartAsync(this, "recorder", builder =>
        {
            builder.AddMlopsDefaults();
            builder.Services.AddSingleton<RecordedReplies>();
            builder.AddMlopsMessaging(bus => bus.AddConsumer<PipelineReplyRecorder>());
        });
        FeatureVersion = await WriteVersionAsync(SyntheticChurn.Table(FeatureTable), SyntheticChurn.Frame(4_000, seed: 7, nullRate: 0.03), RawBatchIds);
    }

    /// <summary>Starts an instance of the training service on this environment (the fixture's, or another one beside it).</summary>
    public Task<WebApplication> StartTrainingAsync(string serviceName) =>
        TestHost.StartAsync(this, serviceName, builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddTrainingService();
        }, InstanceSettings());

    /// <summary>What every training instance is configured with besides <see cref="TestEnvironment.Settings"/>: in process or as a process.</summary>
    public IDictionary<string, string?> InstanceSettings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Training:Models:dev.ml.churn:Description"] = "Churn propensity (configured)",
            ["Training:Models:dev.ml.churn:Tags:pii"] = "configured",
            ["Training:Models:dev.ml.churn:Tags:owner"] = "churn-team",
        };
        foreach (var (key, value) in StepSettings().Concat(TrainingSettings()))
            settings[key] = value;
        return settings;
    }

    /// <summary>Settings of the leased step (Steps:...) for every training instance; none by default.</summary>
    protected virtual IDictionary<string, string?> StepSettings() => new Dictionary<string, string?>();

    /// <summary>More Training:... settings for every training instance (e.g. external trainers); none by default.</summary>
    protected virtual IDictionary<string, string?> TrainingSettings() => new Dictionary<string, string?>();

    /// <summary>Registers the table if new and writes <paramref name="frame"/> as its next version, as a feature refresh would.</summary>
    public async Task<int> WriteVersionAsync(FeatureTableDefinition table, FeatureFrame frame, IReadOnlyList<Guid>? rawBatchIds = null)
    {
        await using var scope = Training.Services.CreateAsyncScope();
        await using var session = SessionAs("feature-refresh");
        var store = scope.ServiceProvider.GetRequiredService<FeatureStore>();
        await session.BeginAsync();
        await store.EnsureTableAsync(session, table);
        var version = await store.WriteVersionAsync(session, table, frame, rawBatchIds ?? [Guid.NewGuid()], null, [], "tests", "dev");
        await session.CommitAsync();
        return version;
    }

    public TrainModel Command(Guid runId, IReadOnlyDictionary<string, string>? parameters = null) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = "dev", Principal = "alice@example.com", FeatureTable = FeatureTable,
        FeatureVersion = FeatureVersion, CodeVersion = CodeVersion, Trainer = "logistic_regression",
        Parameters = parameters ?? new Dictionary<string, string> { ["l2"] = "1.0", ["seed"] = "42" },
        Tags = new Dictionary<string, string> { ["pii"] = "none", ["release"] = "r42" },
    };

    public Task PublishAsync(TrainModel command) => PublishAsync(command, null);

    public IReadOnlyList<object> Replies(Guid runId) => Recorder.Services.GetRequiredService<RecordedReplies>().For(runId);

    /// <summary>Waits for the <paramref name="count"/>th ModelRegistered of a run; a TrainingFailed instead fails the test with its reason.</summary>
    public async Task<ModelRegistered> RegisteredAsync(Guid runId, int count = 1)
    {
        var replies = await Eventually.WaitAsync(() => Task.FromResult(Replies(runId)),
            r => r.OfType<ModelRegistered>().Count() >= count || r.OfType<TrainingFailed>().Any(), $"ModelRegistered #{count} of run {runId}");
        if (replies.OfType<TrainingFailed>().FirstOrDefault() is { } failed)
            throw new XunitException($"Expected ModelRegistered, but training failed: {failed.Reason}");
        return replies.OfType<ModelRegistered>().Last();
    }

    public async Task<TrainingFailed> FailedAsync(Guid runId)
    {
        var replies = await Eventually.WaitAsync(() => Task.FromResult(Replies(runId)),
            r => r.OfType<TrainingFailed>().Any() || r.OfType<ModelRegistered>().Any(), $"TrainingFailed of run {runId}");
        return replies.OfType<TrainingFailed>().SingleOrDefault()
            ?? throw new XunitException($"Expected TrainingFailed, but run {runId} registered a version.");
    }

    public override async Task DisposeAsync()
    {
        await Recorder.StopQuietlyAsync();
        await Training.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
