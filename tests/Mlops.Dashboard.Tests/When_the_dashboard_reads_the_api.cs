using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Mlops.Dashboard.Tests;

/// <summary>The read endpoints the dashboard added, over HTTP: the session's permissions, and monitoring's authorisation, range and bad input.</summary>
public sealed class When_the_dashboard_reads_the_api(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task The_session_says_who_the_token_belongs_to_and_what_it_may_do_per_catalog()
    {
        using var consumer = await fixture.PrincipalAsync("reader", "model_consumer");

        var session = await consumer.GetFromJsonAsync<JsonElement>("/api/dashboard/session");
        var admin = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/dashboard/session");

        Assert.Equal("reader", session.GetProperty("principal").GetString());
        Assert.Equal(["prod", "staging"], Catalogs(session, "catalog.read"));
        Assert.Equal(["prod"], Catalogs(session, "models.read"));
        Assert.Empty(Catalogs(session, "models.promote"));
        Assert.Empty(Catalogs(session, "audit.read"));
        Assert.Equal(DashboardFixture.TraceUrlTemplate, session.GetProperty("traceUrlTemplate").GetString());
        Assert.Equal(["*"], Catalogs(admin, "audit.read"));
        Assert.Equal(["dev", "prod", "staging"], Catalogs(admin, "models.promote"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous.GetAsync("/api/dashboard/session")).StatusCode);
    }

    [Fact]
    public async Task Monitoring_is_read_with_catalog_read_or_models_read_and_refused_without_either()
    {
        await fixture.RegisterVersionAsync("staging.ml.watched");
        await fixture.MonitoredWindowsAsync("staging.ml.watched", 1, 4, (_, i) => 0.1 * i, "amount");
        await fixture.RegisterVersionAsync("dev.ml.private");
        using var consumer = await fixture.PrincipalAsync("consumer", "model_consumer");

        // A model consumer has catalog.read in staging but not models.read there: enough for monitoring.
        var report = await consumer.GetFromJsonAsync<JsonElement>("/api/monitoring/models/staging.ml.watched");
        var refused = await consumer.GetAsync("/api/monitoring/models/dev.ml.private");

        Assert.Equal(8, report.GetProperty("points").GetArrayLength());
        var amount = report.GetProperty("points").EnumerateArray().Where(p => p.GetProperty("subject").GetString() == "amount").ToList();
        Assert.Equal([false, false, false, true], amount.Select(p => p.GetProperty("breached").GetBoolean()));
        Assert.All(amount, p => Assert.Equal(0.2, p.GetProperty("threshold").GetDouble()));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("models.read", problem.GetProperty("permission").GetString());
        Assert.Equal("dev", problem.GetProperty("catalog").GetString());
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'consumer' AND action = 'monitoring.read' AND outcome = 'denied'"));
    }

    [Fact]
    public async Task Monitoring_keeps_to_the_range_asked_for()
    {
        await fixture.RegisterVersionAsync("staging.ml.ranged");
        await fixture.MonitoredWindowsAsync("staging.ml.ranged", 1, 6, (_, _) => 0.05, "amount");
        var windows = await fixture.Database.QueryAsync<DateTime>(
            "SELECT DISTINCT window_start FROM monitoring.metric_results WHERE model_name = 'staging.ml.ranged' ORDER BY 1");
        var from = Uri.EscapeDataString(new DateTimeOffset(windows[2], TimeSpan.Zero).ToString("O"));
        var to = Uri.EscapeDataString(new DateTimeOffset(windows[4], TimeSpan.Zero).ToString("O"));

        var report = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/monitoring/models/staging.ml.ranged?from={from}&to={to}");

        var starts = report.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("windowStart").GetDateTime()).Distinct().ToList();
        Assert.Equal([windows[2], windows[3]], starts);
    }

    [Theory]
    [InlineData("/api/monitoring/models/not-a-model", HttpStatusCode.BadRequest, "name")]
    [InlineData("/api/monitoring/models/staging.ml.absent", HttpStatusCode.NotFound, "name")]
    [InlineData("/api/monitoring/models/staging.ml.absent?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest, "to")]
    [InlineData("/api/monitoring/models/staging.ml.absent?limit=0", HttpStatusCode.BadRequest, "limit")]
    [InlineData("/api/monitoring/models/staging.ml.absent?from=yesterday", HttpStatusCode.BadRequest, "from")]
    public async Task Bad_monitoring_requests_get_problem_details_naming_the_field(string path, HttpStatusCode status, string field)
    {
        var response = await fixture.Admin.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private static List<string> Catalogs(JsonElement session, string permission) =>
        session.GetProperty("permissions").GetProperty(permission).EnumerateArray().Select(c => c.GetString()!).ToList();
}
