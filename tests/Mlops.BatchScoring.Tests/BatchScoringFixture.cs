using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Api;
using Mlops.Catalog.Features;
using Mlops.Catalog.Scoring;
using Mlops.Hosting;
using Mlops.Monitoring;
using Mlops.Testing;

namespace Mlops.BatchScoring.Tests;

/// <summary>
/// The API (real HTTP), the batch scoring service and monitoring, each a real host on the real broker and database, over an
/// arranged catalog: a feature table with a dev version (<see cref="DevRows"/> rows) and a staging one, dev.ml.batch with
/// two versions (the second champion), dev.ml.nochamp without a champion, dev.ml.promoted for the pipeline step.
/// </summary>
public class BatchScoringFixture : TestEnvironment
{
    public const string Model = "dev.ml.batch";
    public const string NoChampion = "dev.ml.nochamp";
    public const string Promoted = "dev.ml.promoted";
    public const int DevRows = 500;
    public const int ChunkSize = 40;

    private WebApplication? _api;
    private WebApplication? _scoring;
    private WebApplication? _monitoring;

    public HttpClient Admin { get; private set; } = null!;

    public Uri ApiAddress { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    public FeatureFrame DevFrame { get; } = BatchScoringArranger.Frame(DevRows);

    public FeatureFrame StagingFrame { get; } = BatchScoringArranger.Frame(50, firstEntity: 5000, seed: 9);

    public int DevFeatureVersion { get; private set; }

    public int StagingFeatureVersion { get; private set; }

    public IServiceProvider Services => _scoring!.Services;

    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _api = await TestHost.StartAsync(this, "api", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddApiService();
        }, new Dictionary<string, string?> { ["Api:RefusalsBeforeAlert"] = "10000" }, app =>
        {
            app.MapMlopsDefaults();
            app.MapApiEndpoints();
        });
        ApiAddress = new Uri(_api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        var settings = new Dictionary<string, string?>
        {
            ["BatchScoring:ChunkSize"] = ChunkSize.ToString(),
            ["BatchScoring:ScoreAfterPromotion:0"] = Promoted,
            ["BatchScoring:ScheduleCheckInterval"] = "00:00:01",
            ["Steps:PollInterval"] = "00:00:00.200",
        };
        Configure(settings);
        _scoring = await TestHost.StartAsync(this, "batch-scoring", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddBatchScoringService();
        }, settings);
        _monitoring = await TestHost.StartAsync(this, "monitoring", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMonitoringService();
        }, new Dictionary<string, string?> { ["Monitoring:WindowSize"] = "00:10:00", ["Monitoring:EvaluateOnSchedule"] = "false" });

        using var anonymous = new HttpClient { BaseAddress = ApiAddress };
        var bootstrap = await anonymous.PostAsJsonAsync("/api/bootstrap", new { name = "root" });
        bootstrap.EnsureSuccessStatusCode();
        AdminToken = (await bootstrap.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        Admin = Client(AdminToken);

        var arrange = new BatchScoringArranger(this, Services);
        DevFeatureVersion = await arrange.WriteFeaturesAsync(DevFrame, "dev");
        StagingFeatureVersion = await arrange.WriteFeaturesAsync(StagingFrame, "staging");
        foreach (var (model, intercepts, champion) in new[] { (Model, new[] { 0.2, -0.4 }, 2), (NoChampion, [0.1], 0), (Promoted, [0.3], 0) })
        {
            for (var i = 0; i < intercepts.Length; i++)
            {
                var document = BatchScoringArranger.Model(intercepts[i]);
                var version = await arrange.RegisterAsync(model, document, DevFeatureVersion);
                await arrange.SaveReferenceAsync(model, version, DevFrame, document);
            }
            if (champion > 0)
                await arrange.SetChampionAsync(model, champion);
        }
        await ArrangeMoreAsync(arrange);
    }

    protected virtual Task ArrangeMoreAsync(BatchScoringArranger arrange) => Task.CompletedTask;

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = ApiAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<HttpClient> PrincipalAsync(string name, params string[] roles)
    {
        (await Admin.PostAsJsonAsync("/api/principals", new { name, kind = "user", roles })).EnsureSuccessStatusCode();
        var issued = await Admin.PostAsJsonAsync($"/api/principals/{name}/tokens", new { description = "test" });
        issued.EnsureSuccessStatusCode();
        return Client((await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Starts a job through the API and returns it as queued (202).</summary>
    public async Task<BatchScoringJob> StartAsync(string model, object body)
    {
        var response = await Admin.PostAsJsonAsync($"/api/models/{model}/batch-scoring", body);
        if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
            throw new HttpRequestException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<BatchScoringJob>(Json))!;
    }

    public async Task<BatchScoringJob> JobAsync(string model, Guid jobId) =>
        (await Admin.GetFromJsonAsync<BatchScoringJob>($"/api/models/{model}/batch-scoring/{jobId}", Json))!;

    /// <summary>Waits, through the API, until the job completed or failed.</summary>
    public Task<BatchScoringJob> EndedAsync(string model, Guid jobId, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => JobAsync(model, jobId), job => job.State is "completed" or "failed", $"scoring job {jobId} to end", timeout);

    public Task<IReadOnlyList<(long EntityId, int ModelVersion, double Prediction)>> PredictionsAsync(Guid jobId) =>
        Database.QueryAsync<(long, int, double)>(
            "SELECT entity_id, model_version, prediction FROM scoring.predictions WHERE job_id = @jobId ORDER BY entity_id", new { jobId });

    public override async Task DisposeAsync()
    {
        Admin?.Dispose();
        await _scoring.StopQuietlyAsync();
        await _monitoring.StopQuietlyAsync();
        await _api.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
