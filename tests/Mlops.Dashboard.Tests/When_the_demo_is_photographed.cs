using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Registry;
using Mlops.DashboardScreenshots;
using Mlops.Hosting.Audit;
using Xunit;

namespace Mlops.Dashboard.Tests;

/// <summary>
/// The tour deploy/demo.sh takes once its loop has finished (tools/Mlops.DashboardScreenshots): over a model left as the demo
/// leaves one (versions, a champion, a finished run, drifted windows and a drift alert), every page is checked against the
/// API and saved; a page that does not show what the API says fails the tour, and so the demo.
/// </summary>
public sealed class When_the_demo_is_photographed(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly string[] Pages = ["runs", "run-timeline", "models", "model", "monitoring", "approvals", "audit"];

    [Fact]
    public async Task Every_page_shows_the_models_versions_and_drift_and_is_saved_as_a_png()
    {
        const string model = "dev.ml.shots_ok";
        var versions = await DemoLikeModelAsync(model);
        var output = Directory.CreateTempSubdirectory("mlops-shots-");
        try
        {
            var demo = await DemoContent.FindAsync(fixture.Address, fixture.AdminToken, model, default);
            Assert.Equal("dev", demo.Catalog);
            Assert.Equal(versions, demo.Versions.Select(v => v.Version).Order());
            Assert.Equal("charges", Assert.Single(demo.DriftAlerts).Subject);

            await using var tour = await DashboardTour.StartAsync(fixture.Address, fixture.AdminToken, Chromium(), output);
            var files = await tour.RunAsync(demo);

            Assert.Equal(Pages, files.Select(Path.GetFileNameWithoutExtension));
            Assert.All(files, file => Assert.Equal(PngSignature, File.ReadAllBytes(file).Take(PngSignature.Length)));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_page_that_does_not_show_the_apis_versions_fails_the_tour_naming_the_page()
    {
        const string model = "dev.ml.shots_wrong";
        await DemoLikeModelAsync(model);
        var demo = await DemoContent.FindAsync(fixture.Address, fixture.AdminToken, model, default);
        var output = Directory.CreateTempSubdirectory("mlops-shots-");
        try
        {
            // As if the page were showing other data than the API's: one version more than it has.
            var other = demo with { Versions = [.. demo.Versions, demo.Versions[0] with { Version = 99 }] };
            await using var tour = await DashboardTour.StartAsync(fixture.Address, fixture.AdminToken, Chromium(), output);

            var failure = await Assert.ThrowsAsync<TourFailedException>(() => tour.RunAsync(other));
            Assert.StartsWith("page model:", failure.Message);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_model_without_a_drift_alert_is_nothing_to_show()
    {
        const string model = "dev.ml.shots_calm";
        await fixture.RegisterVersionAsync(model);

        var failure = await Assert.ThrowsAsync<TourFailedException>(() => DemoContent.FindAsync(fixture.Address, fixture.AdminToken, model, default));
        Assert.Contains("has a drift alert", failure.Message);
    }

    /// <summary>Two versions (the second champion), a finished run, eight windows with charges drifting, an open drift alert.</summary>
    private async Task<int[]> DemoLikeModelAsync(string model)
    {
        var first = await fixture.RegisterVersionAsync(model);
        var second = await fixture.RegisterVersionAsync(model);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, first);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, second);
        await fixture.FinishedRunAsync(model, second, "0af7651916cd43dd8448eb211c80319c");
        await fixture.MonitoredWindowsAsync(model, second, 8, (feature, i) => feature == "charges" ? 0.02 + i * 0.04 : 0.03, "tenure", "charges");
        await fixture.OpenAlertAsync(model, second, "charges", 0.30);
        // Training audits each version it registers; the audit page is checked for them.
        await using var session = fixture.SessionAs("training");
        await session.BeginAsync();
        var audit = fixture.Host.Services.GetRequiredService<MessageAudit>();
        foreach (var version in new[] { first, second })
            await audit.AppendAsync(session, Guid.NewGuid(), "trainer", "model_version.registered", $"model:{model}@{version}");
        await session.CommitAsync();
        return [first, second];
    }

    private static FileInfo Chromium() =>
        new(Environment.GetEnvironmentVariable("MLOPS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium");
}
