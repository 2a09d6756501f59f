using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Api;
using Mlops.BatchScoring;
using Mlops.Compliance;
using Mlops.FeatureRefresh;
using Mlops.Hosting;
using Mlops.Hosting.Sagas;
using Mlops.Monitoring;
using Mlops.Orchestrator;
using Mlops.Orchestrator.Sagas;
using Mlops.Promotion;
using Mlops.Serving;
using Mlops.Testing;
using Mlops.Training;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// The platform with a second domain configured as an operator would, with no code of its own: the API (real HTTP) where the
/// raw table and the YAML feature table are registered and the file is landed, and every service as a real host. Two models
/// retrain on each landed batch of <see cref="LoanApplications.Table"/>: one with the Python sklearn_gbt trainer (portable
/// JSON), one with the onnx_logistic trainer (ONNX); Serving serves both, batch scoring (which scores the ONNX model's new
/// champion as the run's last step) and monitoring run beside them.
/// </summary>
public sealed class SecondDomainFixture : TestEnvironment
{
    public const string GbtModel = "dev.credit.loan_default";
    public const string OnnxModel = "dev.credit.loan_default_onnx";
    public const string Python = "/usr/bin/python3";
    public const int Seed = 42;
    public const int Rows = 3_000;

    private readonly List<WebApplication> _hosts = [];

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Serving { get; private set; } = null!;

    public IServiceProvider Services => _hosts[0].Services;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The API first, with the orchestrator's migrations, so the others start against a ready schema.
        var api = await StartAsync("api", builder =>
        {
            builder.AddApiService();
            builder.Services.AddMlopsMigrations(typeof(OrchestratorExtensions).Assembly);
        }, new Dictionary<string, string?> { ["Api:RefusalsBeforeAlert"] = "10000" }, app => app.MapApiEndpoints());
        using (var anonymous = new HttpClient { BaseAddress = AddressOf(api) })
        {
            var bootstrap = await anonymous.PostAsJsonAsync("/api/bootstrap", new { name = "root" });
            bootstrap.EnsureSuccessStatusCode();
            Admin = Client(AddressOf(api), (await bootstrap.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
        }

        var serving = StartAsync("serving", builder => builder.AddServingService(),
            new Dictionary<string, string?> { ["Serving:Models:0"] = GbtModel, ["Serving:Models:1"] = OnnxModel }, app => app.MapServingEndpoints());
        await Task.WhenAll(
            serving,
            StartAsync("feature-refresh", builder => builder.AddFeatureRefreshService()),
            StartAsync("training", builder => builder.AddTrainingService(), TrainingSettings()),
            StartAsync("compliance", builder => builder.AddComplianceService()),
            StartAsync("promotion", builder => builder.AddPromotionService()),
            StartAsync("monitoring", builder => builder.AddMonitoringService(), new Dictionary<string, string?>
            {
                ["Monitoring:WindowSize"] = "00:00:02", ["Monitoring:WindowGrace"] = "00:00:00.500", ["Monitoring:EvaluationInterval"] = "00:00:01",
            }),
            StartAsync("batch-scoring", builder => builder.AddBatchScoringService(), new Dictionary<string, string?>
            {
                ["BatchScoring:ChunkSize"] = "500", ["Steps:PollInterval"] = "00:00:00.200", ["BatchScoring:ScoreAfterPromotion:0"] = OnnxModel,
            }),
            StartAsync("orchestrator", builder => builder.AddOrchestratorService(), OrchestratorSettings()));
        Serving = Client(AddressOf(await serving),
            await TestTokens.IssueAsync(Database.ConnectionString, "e2e-loan-officer", "ml_engineer"));
    }

    /// <summary>Both trainers as docs/trainers.md configures them, the examples' scripts where the build copies them.</summary>
    private static Dictionary<string, string?> TrainingSettings()
    {
        var settings = new Dictionary<string, string?> { ["Training:TrainersDirectory"] = Path.Combine(AppContext.BaseDirectory, "trainers") };
        void Trainer(string name, string outputFormat, IReadOnlyDictionary<string, string> parameters)
        {
            var at = $"Training:ExternalTrainers:{name}";
            settings[$"{at}:Command"] = Python;
            settings[$"{at}:Arguments:0"] = $"{{trainers}}/{name}/train.py";
            settings[$"{at}:TimeLimit"] = "00:05:00";
            settings[$"{at}:OutputFormat"] = outputFormat;
            settings[$"{at}:Environment:PYTHONDONTWRITEBYTECODE"] = "1";
            settings[$"{at}:Environment:OMP_NUM_THREADS"] = "1";
            foreach (var (key, value) in parameters)
                settings[$"{at}:Parameters:{key}"] = value;
        }

        Trainer("sklearn_gbt", "mlops.model/v1", new Dictionary<string, string>
        {
            ["n_estimators"] = "100", ["learning_rate"] = "0.1", ["max_depth"] = "3", ["subsample"] = "1.0", ["min_samples_leaf"] = "1",
            ["max_categories"] = "50",
        });
        Trainer("onnx_logistic", "onnx", new Dictionary<string, string>());
        foreach (var model in new[] { GbtModel, OnnxModel })
        {
            // The tags compliance requires by default (pii, gdpr): applications are personal data, kept pseudonymised.
            settings[$"Training:Models:{model}:Description"] = "Probability that a loan application defaults.";
            settings[$"Training:Models:{model}:Tags:pii"] = "pseudonymised";
            settings[$"Training:Models:{model}:Tags:gdpr"] = "pseudonymised";
        }
        return settings;
    }

    private static Dictionary<string, string?> OrchestratorSettings()
    {
        var settings = new Dictionary<string, string?>();
        var index = 0;
        foreach (var (model, trainer, parameters) in new[]
                 {
                     (GbtModel, "sklearn_gbt", new Dictionary<string, string> { ["n_estimators"] = "80", ["max_depth"] = "3" }),
                     (OnnxModel, "onnx_logistic", new Dictionary<string, string>()),
                 })
        {
            var at = $"Pipeline:Models:{index++}";
            settings[$"{at}:Name"] = model;
            settings[$"{at}:FeatureTable"] = LoanApplications.FeatureTable;
            settings[$"{at}:SourceTable"] = LoanApplications.Table;
            settings[$"{at}:OnNewData"] = "Retrain";
            settings[$"{at}:CodeVersion"] = "e2e-loans";
            settings[$"{at}:Trainer"] = trainer;
            settings[$"{at}:Parameters:seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (key, value) in parameters)
                settings[$"{at}:Parameters:{key}"] = value;
        }
        return settings;
    }

    /// <summary>
    /// The landed batch, once: the raw table and the feature table registered through the API, then the CSV file landed. Each
    /// answer is kept for the test to check.
    /// </summary>
    public Task<LandedDomain> Landed => _landed.Value;

    private readonly Lazy<Task<LandedDomain>> _landed;

    public SecondDomainFixture() => _landed = new(LandAsync);

    private async Task<LandedDomain> LandAsync()
    {
        using var table = await Admin.PostAsJsonAsync("/api/raw/tables", LoanApplications.Schema);
        using var features = await Admin.PostAsync("/api/features/tables", new StringContent(LoanApplications.Features, Encoding.UTF8, "application/yaml"));
        var (landedStatus, landed) = await LandFileAsync(LoanApplications.Csv(Rows, Seed), "applications");
        return new LandedDomain((int)table.StatusCode, await table.Content.ReadAsStringAsync(), (int)features.StatusCode,
            await features.Content.ReadAsStringAsync(), landedStatus, landed);
    }

    /// <summary>The first batch's id, once the API answered each registration and the landing as it should.</summary>
    public async Task<Guid> LandedBatchAsync()
    {
        var landed = await Landed;
        Assert.True(landed.TableStatus == 201, $"raw table: {landed.TableStatus} {landed.Table}");
        Assert.True(landed.FeaturesStatus == 201, $"feature table: {landed.FeaturesStatus} {landed.Features}");
        Assert.True(landed.LandedStatus == 201, $"landing: {landed.LandedStatus} {landed.Landed}");
        var batch = JsonDocument.Parse(landed.Landed).RootElement;
        Assert.Equal(Rows, batch.GetProperty("rowCount").GetInt64());
        return batch.GetProperty("batchId").GetGuid();
    }

    /// <summary>Lands <paramref name="csv"/> into <see cref="LoanApplications.Table"/> in dev from a file, as `mlops land` does; the API's answer.</summary>
    public async Task<(int Status, string Body)> LandFileAsync(string csv, string description)
    {
        var directory = Directory.CreateTempSubdirectory("mlops-e2e-loans-").FullName;
        try
        {
            var file = Path.Combine(directory, "loan_applications.csv");
            await File.WriteAllTextAsync(file, csv);
            await using var stream = File.OpenRead(file);
            using var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var landed = await Admin.PostAsync($"/api/raw/tables/{LoanApplications.Table}/batches?environment=dev&description={description}", content);
            return ((int)landed.StatusCode, await landed.Content.ReadAsStringAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The saga instance of the run <paramref name="model"/>'s trigger started for <paramref name="batchId"/>, once it finished.</summary>
    public async Task<DeployCodePipelineState> FinishedRunAsync(string model, Guid batchId)
    {
        var runId = await Eventually.WaitAsync(() => Database.ScalarAsync<Guid?>("""
            SELECT run_id FROM pipeline.triggers WHERE disposition = 'started' AND model_name = @model AND detail LIKE '%' || @batch || '%'
            """, new { model, batch = batchId.ToString() }), id => id is not null, $"the run of {model} started by batch {batchId}");
        return (await Eventually.WaitAsync(async () =>
            {
                var json = await Database.ScalarAsync<string?>("SELECT data::text FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId });
                return json is null ? null : new PostgresSagaTable<DeployCodePipelineState>("pipeline.deploy_code_pipeline_runs").Deserialize(json);
            }, run => run?.FinishedAt is not null, $"run {runId} of {model} to finish", TimeSpan.FromMinutes(4)))!;
    }

    private async Task<WebApplication> StartAsync(string service, Action<WebApplicationBuilder> configure, IDictionary<string, string?>? settings = null,
        Action<WebApplication>? map = null)
    {
        var host = await TestHost.StartAsync(this, service, builder =>
        {
            builder.AddMlopsDefaults();
            configure(builder);
        }, settings, app =>
        {
            app.MapMlopsDefaults();
            map?.Invoke(app);
        });
        lock (_hosts)
            _hosts.Add(host);
        return host;
    }

    private static Uri AddressOf(WebApplication host) =>
        new(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public override async Task DisposeAsync()
    {
        Admin?.Dispose();
        Serving?.Dispose();
        foreach (var host in _hosts.AsEnumerable().Reverse())
            await host.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
