using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Compliance;
using Mlops.FeatureRefresh;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring;
using Mlops.Orchestrator;
using Mlops.Orchestrator.Sagas;
using Mlops.Promotion;
using Mlops.Hosting.Sagas;
using Mlops.Simulator;
using Mlops.Testing;
using Mlops.Serving;
using Mlops.Training;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// The whole platform in one test process: every worker service and the orchestrator as real hosts on the environment's
/// broker and database, plus an upstream host that lands data, publishes triggers and records the pipeline's events.
/// </summary>
public class PlatformFixture : TestEnvironment
{
    public const string Model = "dev.ml.churn";

    private readonly List<WebApplication> _hosts = [];

    public WebApplication Upstream { get; private set; } = null!;

    public PipelineEvents Events { get; } = new();

    public IBus Bus => Upstream.Services.GetRequiredService<IBus>();

    public RawDataLander Lander => Upstream.Services.GetRequiredService<RawDataLander>();

    /// <summary>Serving joins the platform when true; <see cref="Serving"/> then talks to it.</summary>
    protected virtual bool WithServing => false;

    public HttpClient Serving { get; private set; } = null!;

    protected virtual IDictionary<string, string?> MonitoringSettings => new Dictionary<string, string?>();

    protected virtual IDictionary<string, string?> OrchestratorSettings => new Dictionary<string, string?>
    {
        ["Pipeline:Models:0:Name"] = Model,
        ["Pipeline:Models:0:FeatureTable"] = "churn_features",
        ["Pipeline:Models:0:SourceTable"] = "raw.churn_customers",
        ["Pipeline:Models:0:OnNewData"] = "Retrain",
        ["Pipeline:Models:0:CodeVersion"] = "e2e-initial",
        ["Pipeline:Models:0:Trainer"] = "logistic_regression",
        ["Pipeline:Models:0:Parameters:l2"] = "0.01",
        ["Pipeline:Models:0:Parameters:seed"] = "42",
        ["Pipeline:Models:0:Description"] = "Churn propensity, end-to-end test.",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Migrations first, by one host, so the others start against a ready schema.
        Upstream = await StartAsync("upstream", builder =>
        {
            builder.Services.AddMlopsSimulator();
            builder.Services.AddSingleton(Events);
            builder.AddMlopsMessaging(bus => bus.AddConsumer<PipelineEventsRecorder>());
        });

        if (WithServing)
        {
            var serving = await StartAsync("serving", builder => builder.AddServingService(),
                new Dictionary<string, string?> { ["Serving:Models:0"] = Model }, app => app.MapServingEndpoints());
            var address = serving.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Serving = new HttpClient { BaseAddress = new Uri(address) };
            Serving.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                await TestTokens.IssueAsync(Database.ConnectionString, "e2e-traffic", "ml_engineer"));
        }

        await Task.WhenAll(
            StartAsync("feature-refresh", builder => builder.AddFeatureRefreshService()),
            StartAsync("training", builder => builder.AddTrainingService(), new Dictionary<string, string?>
            {
                [$"Training:Models:{Model}:Description"] = "Churn propensity of subscription customers.",
                [$"Training:Models:{Model}:Tags:pii"] = "none",
                [$"Training:Models:{Model}:Tags:gdpr"] = "pseudonymised",
            }),
            StartAsync("compliance", builder => builder.AddComplianceService(), new Dictionary<string, string?>
            {
                ["Compliance:Mode"] = "enforced",
                ["Compliance:RequiredTags:0"] = "pii",
                ["Compliance:RequiredTags:1"] = "gdpr",
                ["Compliance:MetricFloors:auc"] = "0.65",
            }),
            StartAsync("promotion", builder => builder.AddPromotionService()),
            StartAsync("monitoring", builder => builder.AddMonitoringService(), MonitoringSettings),
            StartAsync("orchestrator", builder => builder.AddOrchestratorService(), OrchestratorSettings));
    }

    private async Task<WebApplication> StartAsync(string service, Action<WebApplicationBuilder> configure, IDictionary<string, string?>? settings = null,
        Action<WebApplication>? map = null)
    {
        var host = await TestHost.StartAsync(this, service, builder =>
        {
            builder.AddMlopsDefaults();
            configure(builder);
        }, settings, map);
        lock (_hosts)
            _hosts.Add(host);
        return host;
    }

    /// <summary>The saga instance of a run, as the orchestrator stored it.</summary>
    public async Task<DeployCodePipelineState?> RunAsync(Guid runId)
    {
        var json = await Database.ScalarAsync<string?>("SELECT data::text FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId });
        return json is null ? null : new PostgresSagaTable<DeployCodePipelineState>("pipeline.deploy_code_pipeline_runs").Deserialize(json);
    }

    /// <summary>Waits for the run a trigger started (found by a fragment of its detail, e.g. the batch id) to finish.</summary>
    public async Task<DeployCodePipelineState> FinishedRunAsync(Func<Task<Guid?>> findRun, string what)
    {
        var runId = await Eventually.WaitAsync(findRun, id => id is not null, $"the run started by {what}");
        return (await Eventually.WaitAsync(() => RunAsync(runId!.Value), run => run?.FinishedAt is not null,
            $"run {runId} ({what}) to finish", TimeSpan.FromMinutes(3)))!;
    }

    public Task<Guid?> RunStartedByDetailAsync(string fragment) =>
        Database.ScalarAsync<Guid?>("SELECT run_id FROM pipeline.triggers WHERE disposition = 'started' AND detail LIKE '%' || @fragment || '%'", new { fragment });

    public Task<Guid?> RunStartedByMessageAsync(Guid messageId) =>
        Database.ScalarAsync<Guid?>("SELECT run_id FROM pipeline.triggers WHERE disposition = 'started' AND message_id = @messageId", new { messageId });

    public override async Task DisposeAsync()
    {
        Serving?.Dispose();
        foreach (var host in _hosts.AsEnumerable().Reverse())
            await host.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
