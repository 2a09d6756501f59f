using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Mlops.Api.Tests;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Monitoring;
using Mlops.Monitoring.Evaluation;
using Mlops.Monitoring.Windows;

namespace Mlops.Dashboard.Tests;

/// <summary>
/// The API as a real host (real HTTP, broker and database, with the monitoring service's tables) serving the dashboard, plus
/// Debian's Chromium driven by Playwright. Playwright cannot download its own browser here, so it launches the system one
/// (MLOPS_CHROMIUM overrides the path); its node driver ships inside the NuGet package and needs no network.
/// </summary>
public sealed class DashboardFixture : ApiFixture
{
    public const string TraceUrlTemplate = "http://trace-ui.test/trace/{traceId}";

    private static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: artifacts/dashboard under the repository (deploy/test.sh keeps artifacts/).</summary>
    public string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(RepositoryRoot(), "artifacts", "dashboard")).FullName;

    protected override IDictionary<string, string?> HostSettings
    {
        get
        {
            var settings = base.HostSettings;
            settings["Api:Dashboard:TraceUrlTemplate"] = TraceUrlTemplate;
            return settings;
        }
    }

    protected override void ConfigureHost(WebApplicationBuilder builder) =>
        builder.Services.AddMlopsMigrations(typeof(MonitoringExtensions).Assembly);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MLOPS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArguments,
        });
    }

    /// <summary>A fresh browser (its own sessionStorage) on the dashboard, not signed in.</summary>
    public async Task<IPage> PageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Address.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/dashboard/");
        return page;
    }

    /// <summary>A browser signed in with <paramref name="token"/> through the sign-in form.</summary>
    public async Task<IPage> SignedInAsync(string token)
    {
        var page = await PageAsync();
        await page.FillAsync("#token", token);
        await page.ClickAsync("#sign-in button[type=submit]");
        await page.Locator("#runs").WaitForAsync();
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    /// <summary>
    /// A finished pipeline run as the orchestrator's saga keeps it: its steps with their notes, a trace id and an evaluation.
    /// </summary>
    public async Task<Guid> FinishedRunAsync(string model, int version, string traceId)
    {
        var runId = Guid.NewGuid();
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        var steps = new (string State, double Seconds, string Note)[]
        {
            ("RefreshingFeatures", 0, "code abc123 released by rob: training on features"),
            ("Training", 2.5, "feature table churn v3 ready (1200 rows)"),
            ("CheckingCompliance", 9.1, $"version {version} registered, auc 0.83"),
            ("Evaluating", 9.6, "compliance passed (enforce)"),
            ("Promoting", 12.0, "challenger auc 0.83 beats champion 0.79 by more than 0.01"),
            ("Completed", 12.4, $"champion moved to version {version}"),
        };
        var data = JsonSerializer.Serialize(new
        {
            correlationId = runId, currentState = "Completed", modelName = model, environment = model.Split('.')[0], principal = "scheduler",
            trigger = "code_released", triggerDetail = "code abc123 released by rob", codeVersion = "abc123", modelVersion = version,
            championBefore = version - 1, championAfter = version, traceId, startedAt = start, finishedAt = start.AddSeconds(12.4),
            evaluation = new { metric = "auc", challengerScore = 0.83, championScore = 0.79, requiredScore = 0.80, holdoutRows = 300, promote = true, reason = "beats the champion" },
            history = steps.Select(s => new { state = s.State, at = start.AddSeconds(s.Seconds), note = s.Note }),
        });
        await Database.ExecuteAsync(
            "INSERT INTO pipeline.deploy_code_pipeline_runs (correlation_id, current_state, version, data) VALUES (@runId, 'Completed', 1, @data::jsonb)",
            new { runId, data });
        return runId;
    }

    /// <summary>
    /// Evaluated monitoring windows of a model version, written by Mlops.Monitoring's own store: per window the drift of each
    /// feature (PSI, threshold 0.2) and the AUC; <paramref name="driftOf"/> gives the value of a feature in window i.
    /// </summary>
    public async Task MonitoredWindowsAsync(string model, int version, int windows, Func<string, int, double> driftOf, params string[] features)
    {
        // Written as Monitoring writes them, under its role: the API's own role may only read them.
        await using var session = SessionAs("monitoring");
        await session.BeginAsync();
        var results = new MetricResults();
        var first = DateTime.UtcNow.Date.AddDays(-1).AddHours(-windows);
        for (var i = 0; i < windows; i++)
        {
            var window = new TimeWindow(first.AddHours(i), first.AddHours(i + 1));
            var judged = features.Select(feature =>
            {
                var value = driftOf(feature, i);
                return new MetricResult
                {
                    SubjectKind = "feature", Subject = feature, Metric = "psi", Value = value, Threshold = 0.2, SampleSize = 500, Method = "psi",
                    Status = value > 0.2 ? ResultStatus.Breached : ResultStatus.Ok,
                };
            }).Append(new MetricResult
            {
                SubjectKind = "model", Subject = "model", Metric = "auc", Value = 0.8 - i * 0.002, Threshold = 0.05, Baseline = 0.81, SampleSize = 200,
                Status = ResultStatus.Ok,
            }).ToList();
            await results.SaveAsync(session, new WindowKey(model, version, window, 1), judged, default);
        }
        await session.CommitAsync();
    }

    /// <summary>An open drift alert on a feature as Monitoring's alert rule records it once a breach is confirmed.</summary>
    public Task OpenAlertAsync(string model, int version, string feature, double value) =>
        OpenAlertAsync(model, version, "drift", "feature", feature, "psi", value);

    /// <summary>
    /// An open alert of any kind, named as Monitoring names its subjects: a feature by its name, the prediction distribution
    /// as ("prediction", "prediction"), the model as a whole (performance, latency) as ("model", "model").
    /// </summary>
    public Task OpenAlertAsync(string model, int version, string kind, string subjectKind, string subject, string metric, double value) =>
        Database.ExecuteAsync("""
            INSERT INTO monitoring.alerts (id, model_name, version, kind, subject_kind, subject, metric, value, threshold, window_start, window_end,
                windows_breached, windows_considered)
            VALUES (gen_random_uuid(), @model, @version, @kind, @subjectKind, @subject, @metric, @value, 0.2, now() - interval '2 hours', now() - interval '1 hour', 3, 3)
            """, new { model, version, kind, subjectKind, subject, metric, value });

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        Playwright?.Dispose();
        await base.DisposeAsync();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"No Mlops.sln above {AppContext.BaseDirectory}.");
    }
}
