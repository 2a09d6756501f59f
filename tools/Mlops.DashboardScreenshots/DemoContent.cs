using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Api.Responses;

namespace Mlops.DashboardScreenshots;

/// <summary>
/// What the demo left behind, as the API reports it: the model whose drift retrained it, its versions, its runs and its
/// drift alerts. The pages are checked against these, so a page showing test data or nothing fails.
/// </summary>
public sealed record DemoContent(string Catalog, ModelSummary Model, IReadOnlyList<VersionSummary> Versions, IReadOnlyList<RunSummary> Runs,
    MonitoringReport Monitoring)
{
    private static readonly string[] Catalogs = ["dev", "staging", "prod"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public IReadOnlyList<MonitoringAlert> DriftAlerts => [.. Monitoring.Alerts.Where(a => a.Kind == "drift")];

    /// <summary>The run the drift triggered, else the newest: its timeline is the one worth a picture.</summary>
    public RunSummary FeaturedRun => Runs.FirstOrDefault(r => r.Trigger == "drift_detected" && r.State == "Completed") ?? Runs[0];

    /// <summary>The first model, dev to prod, with a drift alert (the closed loop's), or <paramref name="model"/> when given.</summary>
    public static async Task<DemoContent> FindAsync(Uri api, string token, string? model, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var catalog in Catalogs)
        {
            var models = await GetAsync<List<ModelSummary>>(http, $"/api/models?catalog={catalog}&limit=500", cancellationToken);
            foreach (var found in models.Where(m => model is null || m.Name == model))
            {
                var name = Uri.EscapeDataString(found.Name);
                var monitoring = await GetAsync<MonitoringReport>(http, $"/api/monitoring/models/{name}", cancellationToken);
                if (!monitoring.Alerts.Any(a => a.Kind == "drift"))
                    continue;
                var versions = await GetAsync<List<VersionSummary>>(http, $"/api/models/{name}/versions", cancellationToken);
                var runs = (await GetAsync<List<RunSummary>>(http, $"/api/runs?environment={catalog}&limit=200", cancellationToken))
                    .Where(r => r.ModelName == found.Name).ToList();
                if (versions.Count == 0 || runs.Count == 0)
                    throw new TourFailedException($"{found.Name} has a drift alert but {versions.Count} versions and {runs.Count} runs");
                return new DemoContent(catalog, found, versions, runs, monitoring);
            }
        }
        throw new TourFailedException($"{(model is null ? $"no model in {string.Join(", ", Catalogs)}" : model)} has a drift alert at {api}: the demo's closed loop left nothing to show");
    }

    private static async Task<T> GetAsync<T>(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new TourFailedException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }
}
