using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Mlops.Api.Responses;
using static Microsoft.Playwright.Assertions;

namespace Mlops.DashboardScreenshots;

/// <summary>
/// The dashboard in headless Chromium (Debian's, driven by Playwright, as tests/Mlops.Dashboard.Tests drives it), signed in
/// with a token: each page is opened, its DOM checked against <see cref="DemoContent"/>, and saved as &lt;page&gt;.png.
/// </summary>
public sealed class DashboardTour : IAsyncDisposable
{
    private static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private const int MaxHeight = 2400;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IPage _page;
    private readonly string _token;
    private readonly DirectoryInfo _output;
    private readonly List<string> _written = [];

    private DashboardTour(IPlaywright playwright, IBrowser browser, IPage page, string token, DirectoryInfo output)
    {
        (_playwright, _browser, _page, _token, _output) = (playwright, browser, page, token, output);
    }

    public static async Task<DashboardTour> StartAsync(Uri api, string token, FileInfo chromium, DirectoryInfo output)
    {
        if (!chromium.Exists)
            throw new TourFailedException($"no browser at {chromium.FullName} (apt-get install chromium, or set MLOPS_CHROMIUM)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium.FullName, Headless = true, Args = ChromiumArguments });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        output.Create();
        return new DashboardTour(playwright, browser, await context.NewPageAsync(), token, output);
    }

    /// <summary>Every page, checked and saved; the files written, in order.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(DemoContent demo)
    {
        await Step("sign-in", async () =>
        {
            await _page.GotoAsync("/dashboard/");
            await _page.FillAsync("#token", _token);
            await _page.ClickAsync("#sign-in button[type=submit]");
            await _page.Locator("#runs").WaitForAsync();
            await _page.Locator("#environment").SelectOptionAsync(demo.Catalog);
            await Expect(_page.Locator("h1")).ToHaveTextAsync($"Runs in {demo.Catalog}");
        });
        await Step("runs", () => RunsAsync(demo));
        await Step("run-timeline", () => TimelineAsync(demo));
        await Step("models", () => ModelsAsync(demo));
        await Step("model", () => ModelAsync(demo));
        await Step("monitoring", () => MonitoringAsync(demo));
        await Step("approvals", ApprovalsAsync);
        await Step("audit", () => AuditAsync(demo));
        return _written;
    }

    private async Task RunsAsync(DemoContent demo)
    {
        await _page.Locator("#runs tbody tr").First.WaitForAsync();
        var shown = await _page.Locator("#runs tbody tr").EvaluateAllAsync<int>(
            "(rows, model) => rows.filter(row => row.cells[1]?.textContent === model).length", demo.Model.Name);
        // At least: the services still run while the pages are taken, so a run may have started since.
        Require(shown >= demo.Runs.Count, $"{shown} runs of {demo.Model.Name} shown, the API has {demo.Runs.Count}");
        await SaveAsync("runs");
    }

    private async Task TimelineAsync(DemoContent demo)
    {
        var run = demo.FeaturedRun;
        await _page.GotoAsync($"/dashboard/#/runs/{run.RunId}");
        await Expect(_page.Locator("h1")).ToHaveTextAsync($"Run {run.RunId}");
        await Expect(_page.Locator("#run-facts")).ToContainTextAsync(run.Trigger);
        Require(await _page.Locator("#timeline li").CountAsync() >= 2, "the timeline shows fewer than two steps");
        Require(await _page.Locator("svg.timeline-chart rect.step").CountAsync() >= 2, "the timeline chart draws fewer than two steps");
        await SaveAsync("run-timeline");
    }

    private async Task ModelsAsync(DemoContent demo)
    {
        await _page.GotoAsync("/dashboard/#/models");
        var row = _page.Locator("#models tbody tr").Filter(new() { Has = _page.Locator("a.model-link", new() { HasTextRegex = Exactly(demo.Model.Name) }) });
        await Expect(row).ToHaveCountAsync(1);
        foreach (var (alias, version) in demo.Model.Aliases)
            await Expect(row).ToContainTextAsync($"{alias} → v{version}");
        await SaveAsync("models");
    }

    private async Task ModelAsync(DemoContent demo)
    {
        await _page.GotoAsync($"/dashboard/#/models/{Uri.EscapeDataString(demo.Model.Name)}");
        await Expect(_page.Locator("h1")).ToHaveTextAsync(demo.Model.Name);
        var rows = _page.Locator("#versions tbody tr");
        await rows.First.WaitForAsync();
        var shown = await rows.EvaluateAllAsync<int[]>("rows => rows.map(row => Number(row.dataset.version))");
        Require(demo.Versions.All(v => shown.Contains(v.Version)),
            $"versions shown {string.Join(",", shown)} lack some of the API's {string.Join(",", demo.Versions.Select(v => v.Version))}");
        Require(await _page.Locator("#alias-history tbody tr").CountAsync() >= 1, "no alias history");
        var champion = demo.Model.Aliases.TryGetValue("champion", out var v) ? v : demo.Versions.Max(x => x.Version);
        await _page.Locator($"#versions tr[data-version='{champion}'] button.link").ClickAsync();
        await Expect(_page.Locator("#lineage h2")).ToHaveTextAsync($"Lineage of version {champion}");
        await Expect(_page.Locator("#lineage dl")).ToContainTextAsync("Raw batches");
        await SaveAsync("model");
    }

    private async Task MonitoringAsync(DemoContent demo)
    {
        await _page.GotoAsync($"/dashboard/#/monitoring/{Uri.EscapeDataString(demo.Model.Name)}");
        await Expect(_page.Locator("h1")).ToHaveTextAsync($"Monitoring of {demo.Model.Name}");
        var drift = _page.Locator("#alerts tbody tr", new() { HasTextRegex = new Regex("^drift") });
        await drift.First.WaitForAsync();
        Require(await drift.CountAsync() >= demo.DriftAlerts.Count, $"{await drift.CountAsync()} drift alerts shown, the API has {demo.DriftAlerts.Count}");
        // The chart of the feature whose drift raised the alert shows the breached windows.
        var alerted = demo.DriftAlerts[0];
        var chart = _page.Locator($"figure[data-kind='{alerted.SubjectKind}'][data-subject='{alerted.Subject}'][data-metric='{alerted.Metric}']");
        await Expect(chart).ToHaveCountAsync(1);
        Require(await chart.Locator("circle.point.breached").CountAsync() >= 1, $"the {alerted.Subject} {alerted.Metric} chart marks no breached window");
        Require(await chart.Locator("line.threshold").CountAsync() == 1, $"the {alerted.Subject} {alerted.Metric} chart has no threshold line");
        await SaveAsync("monitoring");
    }

    private async Task ApprovalsAsync()
    {
        await _page.GotoAsync("/dashboard/#/approvals");
        await Expect(_page.Locator("h1")).ToContainTextAsync("Approvals waiting in");
        await _page.Locator("#approvals").WaitForAsync();
        await SaveAsync("approvals");
    }

    private async Task AuditAsync(DemoContent demo)
    {
        await _page.GotoAsync($"/dashboard/#/audit?model={Uri.EscapeDataString(demo.Model.Name)}");
        await Expect(_page.Locator("#audit-chain")).ToContainTextAsync("intact");
        // Every version was registered by Training, which audits it on model:<name>@<version>.
        var registered = _page.Locator("#audit tbody tr", new() { HasText = "model_version.registered" });
        Require(await registered.CountAsync() >= demo.Versions.Count, "the audit trail shows fewer registrations than the model has versions");
        await SaveAsync("audit", fullPage: false);
    }

    /// <summary>The page from its top, at most <see cref="MaxHeight"/> pixels of it (the audit trail: the first screen), so the PNGs stay small enough to keep.</summary>
    private async Task SaveAsync(string name, bool fullPage = true)
    {
        var path = Path.Combine(_output.FullName, name + ".png");
        var height = fullPage ? Math.Min(await _page.EvaluateAsync<int>("document.documentElement.scrollHeight"), MaxHeight) : 900;
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Clip = new Clip { X = 0, Y = 0, Width = 1280, Height = height } });
        _written.Add(path);
    }

    private static Regex Exactly(string text) => new($"^{Regex.Escape(text)}$");

    private static void Require(bool condition, string problem)
    {
        if (!condition)
            throw new TourFailedException(problem);
    }

    private async Task Step(string page, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception exception) when (exception is PlaywrightException or TimeoutException or TourFailedException)
        {
            var shown = await _page.Locator("#message").TextContentAsync(new() { Timeout = 1000 }).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
            throw new TourFailedException($"page {page}: {exception.Message.Split('\n')[0]}{(string.IsNullOrWhiteSpace(shown) ? "" : $" (the page says: {shown})")}", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
