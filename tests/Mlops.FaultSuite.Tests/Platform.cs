using System.Diagnostics;
using Mlops.Testing;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// The services of one scenario as real processes on the suite's broker and database, in a database and virtual host of
/// their own, always with the control-plane API; plus the mlops command line, run as a process against the API with the token
/// of an admin it bootstrapped (<c>mlops bootstrap-admin</c>).
/// </summary>
public sealed class Platform : IAsyncDisposable
{
    public static readonly string[] Pipeline = ["FeatureRefresh", "Training", "Compliance", "Promotion", "Orchestrator"];

    private readonly Dictionary<string, ServiceProcess> _services = new(StringComparer.Ordinal);
    private readonly RabbitMqManagement _broker = new();
    private readonly Dictionary<string, string> _environment;
    private string _token = "";

    private Platform(string scenario, TestDatabase database, string virtualHost, Dictionary<string, string> environment)
    {
        Scenario = scenario;
        Database = database;
        VirtualHost = virtualHost;
        _environment = environment;
        Logs = Directory.CreateDirectory(Path.Combine(SuiteInfrastructure.Artifacts, "logs", scenario)).FullName;
        Runs = new PipelineRunProbe(database);
    }

    public string Scenario { get; }

    public TestDatabase Database { get; }

    public string VirtualHost { get; }

    public RabbitMqManagement Broker => _broker;

    public PipelineRunProbe Runs { get; }

    public string Logs { get; }

    public IReadOnlyDictionary<string, string> Environment => _environment;

    public ServiceProcess this[string service] => _services[service];

    /// <summary>
    /// Starts <paramref name="services"/> (all at once, then waits for each to be ready). <paramref name="settings"/> are
    /// environment variables every one of them gets, on top of the platform's (database, virtual host, Development config).
    /// </summary>
    public static async Task<Platform> StartAsync(string scenario, IEnumerable<string> services, IDictionary<string, string>? settings = null)
    {
        SuiteInfrastructure.EnsureOwnStack();
        var database = await TestDatabase.CreateAsync("mlops_fault");
        var virtualHost = $"mlops-fault-{scenario}-{Guid.NewGuid():N}"[..40];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Messaging__RabbitMq__Host"] = TestInfrastructure.RabbitMqHost,
            ["Messaging__RabbitMq__Port"] = TestInfrastructure.RabbitMqPort.ToString(),
            ["Messaging__RabbitMq__ManagementPort"] = TestInfrastructure.RabbitMqManagementPort.ToString(),
            ["Messaging__RabbitMq__VirtualHost"] = virtualHost,
            ["Messaging__Outbox__PollInterval"] = "00:00:00.200",
            // The scenarios run a lane per environment side by side, each with its own code: a chain of dev alone lets
            // staging and prod take any code (the promotion chain has tests of its own, and is not what a fault tests).
            ["Pipeline__Promotion__Chain"] = "dev",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;

        var platform = new Platform(scenario, database, virtualHost, environment);
        await platform._broker.CreateVirtualHostAsync(virtualHost);
        foreach (var service in services.Append("Api").Distinct())
            platform._services[service] = new ServiceProcess(service, SuiteInfrastructure.ServiceDirectory(service), ServiceProcess.FreePort(), environment, platform.Logs);
        foreach (var service in platform._services.Values)
            service.Start();
        await Task.WhenAll(platform._services.Values.Select(s => s.WaitReadyAsync()));
        var admin = await platform.CliAsync("bootstrap-admin", "--name", "fault-suite");
        if (admin.ExitCode != 0)
            throw new InvalidOperationException($"mlops bootstrap-admin failed: {admin.Error}{admin.Output}");
        platform._token = admin.Output.Trim();
        return platform;
    }

    /// <summary>Runs <c>mlops</c> with the platform's settings; returns its exit code and what it wrote.</summary>
    /// <summary>A client of Serving sending the token of a principal that may invoke every catalog's models (Serving checks callers).</summary>
    public async Task<HttpClient> ServingClientAsync(TimeSpan timeout)
    {
        var token = await TestTokens.IssueAsync(Database.ConnectionString, "fault-suite", "ml_engineer");
        var http = new HttpClient { BaseAddress = this["Serving"].BaseAddress, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<CliResult> CliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = SuiteInfrastructure.ServiceDirectory("Cli"), RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add("mlops.dll");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        start.Environment["MLOPS_API_URL"] = _services["Api"].BaseAddress.ToString();
        start.Environment["MLOPS_TOKEN"] = _token;
        // The command line keeps its own quiet logging: only what it says to its user goes to stderr.
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var logging in _environment.Keys.Where(k => k.StartsWith("Logging__", StringComparison.Ordinal)))
            start.Environment.Remove(logging);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Lands a churn batch for <paramref name="environment"/> and waits for the run it starts to end; returns that run.</summary>
    public async Task<PipelineRunProbe.Run> LandDataAndWaitAsync(string environment = "dev", int rows = 2_000)
    {
        var since = await Database.ScalarAsync<DateTime>("SELECT now()");
        var landed = await CliAsync("land-data", "--rows", rows.ToString(), "--seed", "7", "--environment", environment);
        if (landed.ExitCode != 0)
            throw new InvalidOperationException($"mlops land-data failed: {landed.Error}{landed.Output}");
        var run = await Runs.StartedSinceAsync($"{environment}.ml.churn", since);
        return await Runs.WaitFinalAsync(run.Id, TimeSpan.FromSeconds(120));
    }

    /// <summary>Asks for a run by hand; returns its id once admission started it.</summary>
    public async Task<Guid> RequestRunAsync(string model = "dev.ml.churn")
    {
        var since = await Database.ScalarAsync<DateTime>("SELECT now()");
        var requested = await CliAsync("request-run", "--model", model, "--reason", $"fault suite: {Scenario}");
        if (requested.ExitCode != 0)
            throw new InvalidOperationException($"mlops request-run failed: {requested.Error}{requested.Output}");
        return (await Runs.StartedSinceAsync(model, since)).Id;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_services.Values.Select(s => s.DisposeAsync().AsTask()));
        try
        {
            await _broker.DeleteVirtualHostAsync(VirtualHost);
        }
        catch (HttpRequestException)
        {
            // A scenario that ended with the broker down leaves its virtual host: unique names.
        }
        _broker.Dispose();
        await Database.DisposeAsync();
    }
}
