using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Sagas;
using Mlops.Orchestrator.Sagas;
using Mlops.Simulator;
using Mlops.Testing;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// Every service as its own process, the way deploy/demo.sh runs them, exporting OTLP to an Aspire dashboard of the fixture's
/// own; an upstream host in the test process lands the data. One process per service, so every span reaches the dashboard once,
/// under the service that made it. The upstream host does not export (it would send every in-process host's spans of the
/// other test classes too): its spans are in the environment's span collector.
/// </summary>
public sealed class TracedPlatform : TestEnvironment
{
    public static readonly string[] Services = ["FeatureRefresh", "Training", "Compliance", "Promotion", "Monitoring", "Orchestrator", "Serving"];

    private readonly List<ServiceProcess> _processes = [];

    public AspireDashboard Dashboard { get; private set; } = null!;

    public WebApplication Upstream { get; private set; } = null!;

    public RawDataLander Lander => Upstream.Services.GetRequiredService<RawDataLander>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var logs = Directory.CreateDirectory(Path.Combine(BuiltServices.RepositoryRoot, "artifacts", "dashboard-e2e", VirtualHost)).FullName;
        Dashboard = await AspireDashboard.StartAsync(logs);

        // Migrations first, by the upstream host, so the services start against a ready schema.
        Upstream = await TestHost.StartAsync(this, "e2e-upstream", builder =>
        {
            builder.AddMlopsDefaults();
            builder.Services.AddMlopsSimulator();
            builder.AddMlopsMessaging();
        });

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Postgres"] = Database.ConnectionString,
            ["Messaging__RabbitMq__Host"] = TestInfrastructure.RabbitMqHost,
            ["Messaging__RabbitMq__Port"] = TestInfrastructure.RabbitMqPort.ToString(),
            ["Messaging__RabbitMq__ManagementPort"] = TestInfrastructure.RabbitMqManagementPort.ToString(),
            ["Messaging__RabbitMq__VirtualHost"] = VirtualHost,
            ["Messaging__Outbox__PollInterval"] = "00:00:00.200",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Dashboard.OtlpEndpoint.ToString(),
            // Spans leave every 200 ms rather than every 5 s.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        foreach (var service in Services)
            _processes.Add(new ServiceProcess(service, BuiltServices.Directory(service), ServiceProcess.FreePort(), environment, logs));
        foreach (var process in _processes)
            process.Start();
        await Task.WhenAll(_processes.Select(p => p.WaitReadyAsync()));
    }

    /// <summary>The saga instance of a run, as the orchestrator stored it.</summary>
    public async Task<DeployCodePipelineState?> RunAsync(Guid runId)
    {
        var json = await Database.ScalarAsync<string?>("SELECT data::text FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId });
        return json is null ? null : new PostgresSagaTable<DeployCodePipelineState>("pipeline.deploy_code_pipeline_runs").Deserialize(json);
    }

    public override async Task DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        await Upstream.StopQuietlyAsync();
        await Dashboard.DisposeAsync();
        await base.DisposeAsync();
    }
}
