using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Sagas;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;
using Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// A database, a virtual host and real hosts on them: the orchestrator exactly as Program.cs builds it, configured
/// with <see cref="Models"/>, and a second service with the fake workers and the listeners of its announcements.
/// </summary>
public abstract class PipelineHosts : TestEnvironment
{
    private static readonly PostgresSagaTable<DeployCodePipelineState> Runs = new(OrchestratorExtensions.RunsTable);

    private readonly List<WebApplication> _orchestrators = [];
    private WebApplication? _workers;

    public FakeWorkerScript Workers { get; } = new(TestModels.Behaviours);

    public PipelineEventLog Events { get; } = new();

    /// <summary>How long each step waits for its reply (once more after the command is sent again).</summary>
    public abstract TimeSpan StepTimeout { get; }

    /// <summary>The models the orchestrator runs pipelines for.</summary>
    protected virtual IReadOnlyList<PipelineModelOptions> Models => TestModels.All;

    /// <summary>The orchestrators running now, the first started first.</summary>
    public IReadOnlyList<WebApplication> Orchestrators => _orchestrators;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // Workers first: the first run's commands must find their queues bound.
        _workers = await TestHost.StartAsync(this, "workers", builder =>
        {
            builder.AddMlopsDefaults();
            builder.Services.AddSingleton(Workers);
            builder.Services.AddSingleton(Events);
            builder.AddMlopsMessaging(bus =>
            {
                bus.AddConsumer<FakeFeatureRefreshConsumer>();
                bus.AddConsumer<FakeTrainingConsumer>();
                bus.AddConsumer<FakeComplianceConsumer>();
                bus.AddConsumer<FakeEvaluationConsumer>();
                bus.AddConsumer<FakePromotionConsumer>();
                bus.AddConsumer<RunFinishedRecorder>();
                bus.AddConsumer<TriggerRecordedRecorder>();
            });
        });

        await StartOrchestratorAsync();
    }

    /// <summary>Starts one more orchestrator (another instance, or the first again after <see cref="StopOrchestratorsAsync"/>).</summary>
    public async Task<WebApplication> StartOrchestratorAsync()
    {
        var orchestrator = await TestHost.StartAsync(this, "orchestrator", builder =>
        {
            ConfigureOrchestrator(builder);
            builder.AddMlopsDefaults();
            builder.AddOrchestratorService();
        }, OrchestratorSettings(), app => app.MapMlopsDefaults());
        _orchestrators.Add(orchestrator);
        return orchestrator;
    }

    public async Task StopOrchestratorsAsync()
    {
        foreach (var orchestrator in _orchestrators)
            await orchestrator.StopQuietlyAsync();
        _orchestrators.Clear();
    }

    /// <summary>The orchestrator's configuration, the way appsettings.json or environment variables would give it.</summary>
    protected virtual Dictionary<string, string?> OrchestratorSettings() => TestModels.Settings(Models, StepTimeout);

    /// <summary>Services registered before the orchestrator's own, e.g. a clock of the test's.</summary>
    protected virtual void ConfigureOrchestrator(WebApplicationBuilder builder)
    {
    }

    /// <summary>Publishes a trigger as an upstream service would; returns its message id.</summary>
    public async Task<Guid> TriggerAsync<T>(T trigger)
        where T : class
    {
        var messageId = NewId.NextGuid();
        await _workers!.Services.GetRequiredService<IBus>().Publish(trigger, context => context.MessageId = messageId);
        return messageId;
    }

    /// <summary>
    /// Registers the batch in raw.batches as a landing would, then publishes its <see cref="RawDataLanded"/>: the orchestrator
    /// holds each announcement against its batch. Returns the message id.
    /// </summary>
    public async Task<Guid> LandAsync(RawDataLanded landed)
    {
        await Database.ExecuteAsync("""
            INSERT INTO raw.batches (batch_id, source_table, row_count, producer, environment) VALUES (@BatchId, @SourceTable, @RowCount, @Principal, @Environment)
            """, landed);
        return await TriggerAsync(landed);
    }

    public Task PublishAsync<T>(T message)
        where T : class =>
        _workers!.Services.GetRequiredService<IBus>().Publish(message);

    /// <summary>What admission did with a trigger, once it has (one row per model the trigger concerns).</summary>
    public Task<IReadOnlyList<TriggerRow>> AdmittedAsync(Guid messageId, int rows = 1) =>
        Eventually.WaitAsync(() => Database.QueryAsync<TriggerRow>($"{SelectTriggers} WHERE message_id = @messageId ORDER BY trigger_id", new { messageId }),
            found => found.Count >= rows, $"{rows} admission(s) of trigger {messageId}");

    public async Task<Guid> StartedRunAsync(Guid messageId)
    {
        var trigger = Assert.Single(await AdmittedAsync(messageId));
        Assert.Equal("started", trigger.Disposition);
        return trigger.RunId!.Value;
    }

    /// <summary>Waits until the run is in one of <paramref name="states"/> and returns it as the saga stored it.</summary>
    public async Task<DeployCodePipelineState> RunAsync(Guid runId, params string[] states)
    {
        var data = await Eventually.WaitAsync(
            () => Database.ScalarAsync<string?>("SELECT data::text FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId }),
            json => json is not null && states.Contains(Runs.Deserialize(json).CurrentState),
            $"run {runId} in {string.Join(" or ", states)}");
        return Runs.Deserialize(data!);
    }

    public Task<PipelineRunFinished> FinishedAsync(Guid runId) =>
        Eventually.WaitAsync(() => Task.FromResult(Events.RunsFinished.FirstOrDefault(e => e.CorrelationId == runId)),
            finished => finished is not null, $"PipelineRunFinished of run {runId}")!;

    /// <summary>Every trigger admission recorded for <paramref name="model"/>, oldest first.</summary>
    public Task<IReadOnlyList<TriggerRow>> TriggersOfAsync(string model) =>
        Database.QueryAsync<TriggerRow>($"{SelectTriggers} WHERE model_name = @model ORDER BY trigger_id", new { model });

    /// <summary>How many runs of <paramref name="model"/> the saga holds.</summary>
    public Task<long> RunCountAsync(string model) =>
        Database.ScalarAsync<long>("SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE data->>'modelName' = @model", new { model });

    /// <summary>
    /// What the promotion service does at the end of a real run: registers a new version of the model and makes it the
    /// champion. Returns the version.
    /// </summary>
    public async Task<int> PromoteNewVersionAsync(string model)
    {
        await using var scope = Orchestrators[0].Services.CreateAsyncScope();
        await using var session = SessionAs("owner");
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        await session.BeginAsync();
        var champion = await registry.FindAliasAsync(session, model, ModelAliases.Champion);
        var version = await registry.RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = ModelName.Parse(model), Signature = new ModelSignature { Inputs = [new SignatureColumn("tenure_months", SignatureColumn.Double)] },
            TrainingRunId = Guid.NewGuid(), ArtifactSha256 = "ab12", CodeVersion = "builtin", Trainer = "logistic_regression",
            FeatureTable = "churn_features", FeatureVersion = 1, RawBatchIds = [], Metrics = new Dictionary<string, double> { ["auc"] = 0.8 },
            Principal = "training",
        });
        await registry.SetAliasAsync(session, model, ModelAliases.Champion, version, expected: champion, "promotion", "a better challenger");
        await session.CommitAsync();
        return version;
    }

    protected const string SelectTriggers = """
        SELECT kind AS Kind, message_id AS MessageId, model_name AS ModelName, run_id AS RunId, disposition AS Disposition, detail AS Detail,
               received_at AS ReceivedAt, recheck_at AS RecheckAt, recheck_token AS RecheckToken
        FROM pipeline.triggers
        """;

    public override async Task DisposeAsync()
    {
        await StopOrchestratorsAsync();
        await _workers.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
