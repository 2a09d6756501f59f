using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Compliance;
using Mlops.FeatureRefresh;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring;
using Mlops.Orchestrator;
using Mlops.Promotion;
using Mlops.Simulator;
using Mlops.Testing;
using Mlops.Training;

namespace Mlops.EndToEnd.Tests.ScaleOut;

/// <summary>
/// The pipeline's services as real hosts on one broker and one database, started one instance at a time: the test runs
/// runs with one instance of each, then adds a second instance of every worker and of the orchestrator and runs more.
/// Instances of a service share its queues (competing consumers), its outbox rows and its step leases, as replicas would.
/// </summary>
public sealed class ScaleOutFixture : TestEnvironment
{
    /// <summary>Models of their own lanes, so that as many runs as models can be in flight at once (one active run per model).</summary>
    public static readonly IReadOnlyList<string> Models = [.. Enumerable.Range(1, 6).Select(i => $"dev.ml.scale_{i}")];

    /// <summary>The services a pipeline run crosses, each started once per instance.</summary>
    private static readonly IReadOnlyList<(string Name, Action<WebApplicationBuilder> Add)> Services =
    [
        ("feature-refresh", builder => builder.AddFeatureRefreshService()),
        ("training", builder => builder.AddTrainingService()),
        ("compliance", builder => builder.AddComplianceService()),
        ("promotion", builder => builder.AddPromotionService()),
        ("monitoring", builder => builder.AddMonitoringService()),
        ("orchestrator", builder => builder.AddOrchestratorService()),
    ];

    private readonly List<WebApplication> _hosts = [];

    public WebApplication Upstream { get; private set; } = null!;

    public IBus Bus => Upstream.Services.GetRequiredService<IBus>();

    public RawDataLander Lander => Upstream.Services.GetRequiredService<RawDataLander>();

    /// <summary>How many instances of every service run now.</summary>
    public int Instances { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // Migrations first, by one host, so the others start against a ready schema.
        Upstream = await TestHost.StartAsync(this, "upstream", builder =>
        {
            builder.AddMlopsDefaults();
            builder.Services.AddMlopsSimulator();
            builder.AddMlopsMessaging();
        });
        await AddInstanceAsync();
    }

    /// <summary>Starts one more instance of every service.</summary>
    public async Task AddInstanceAsync()
    {
        var hosts = await Task.WhenAll(Services.Select(service => TestHost.StartAsync(this, service.Name, builder =>
        {
            builder.AddMlopsDefaults();
            service.Add(builder);
        }, SettingsOf(service.Name))));
        _hosts.AddRange(hosts);
        Instances++;
    }

    private static Dictionary<string, string?> SettingsOf(string service)
    {
        // The local signal wakes the instance whose consumer recorded a step; the poll is how another instance finds work.
        var settings = new Dictionary<string, string?> { ["Steps:PollInterval"] = "00:00:00.200" };
        if (service == "training")
        {
            // What enforced compliance asks of a version, so runs go on to evaluation and promotion rather than stop there.
            foreach (var model in Models)
            {
                settings[$"Training:Models:{model}:Description"] = "Scale-out test model.";
                settings[$"Training:Models:{model}:Tags:pii"] = "none";
                settings[$"Training:Models:{model}:Tags:gdpr"] = "pseudonymised";
            }
        }
        if (service != "orchestrator")
            return settings;
        for (var i = 0; i < Models.Count; i++)
        {
            settings[$"Pipeline:Models:{i}:Name"] = Models[i];
            settings[$"Pipeline:Models:{i}:FeatureTable"] = "churn_features";
            settings[$"Pipeline:Models:{i}:SourceTable"] = RawDataLander.SourceTable;
            settings[$"Pipeline:Models:{i}:OnNewData"] = "Ignore";
            settings[$"Pipeline:Models:{i}:CodeVersion"] = "scale-out";
            settings[$"Pipeline:Models:{i}:Trainer"] = "logistic_regression";
            settings[$"Pipeline:Models:{i}:Parameters:l2"] = "0.01";
            settings[$"Pipeline:Models:{i}:Parameters:seed"] = i.ToString();
        }
        return settings;
    }

    public override async Task DisposeAsync()
    {
        foreach (var host in _hosts.AsEnumerable().Reverse())
            await host.StopQuietlyAsync();
        await Upstream.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
