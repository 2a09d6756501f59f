using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Mlops.Api.Tests;
using Mlops.Catalog.Registry;
using Xunit;

namespace Mlops.Dashboard.Tests;

/// <summary>
/// The dashboard in headless Chromium against the real API: every page's DOM, sign-in, refusals, and decisions taken from the
/// page landing in the database. Screenshots go to artifacts/dashboard.
/// </summary>
public sealed class When_the_dashboard_is_used(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task A_wrong_token_is_refused_and_a_valid_one_signs_in()
    {
        var page = await fixture.PageAsync();
        Assert.True(await page.Locator("#sign-in").IsVisibleAsync());
        Assert.True(await page.Locator("#nav").IsHiddenAsync());

        await page.FillAsync("#token", "mlops_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        await page.ClickAsync("#sign-in button[type=submit]");
        var error = page.Locator("#sign-in-error");
        await error.WaitForAsync();
        Assert.StartsWith("Token refused", await error.TextContentAsync());
        Assert.True(await page.Locator("#nav").IsHiddenAsync());
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('mlops.token')"));
        await fixture.ScreenshotAsync(page, "sign-in-refused");

        await page.FillAsync("#token", fixture.AdminToken);
        await page.ClickAsync("#sign-in button[type=submit]");
        await page.Locator("#runs").WaitForAsync();
        Assert.Contains("root", await page.TextContentAsync("#who"));
        Assert.Equal(fixture.AdminToken, await page.EvaluateAsync<string>("sessionStorage.getItem('mlops.token')"));
        Assert.True(await page.Locator("#nav a[data-page=audit]").IsVisibleAsync());
    }

    [Fact]
    public async Task The_pages_come_from_this_origin_only()
    {
        var response = await fixture.Anonymous.GetAsync("/dashboard/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("http", html.Replace("http-equiv", ""), StringComparison.OrdinalIgnoreCase);
        var bare = await fixture.Anonymous.GetAsync("/dashboard");
        Assert.True(bare.IsSuccessStatusCode);
        Assert.EndsWith("/dashboard/", bare.RequestMessage!.RequestUri!.AbsolutePath);
        foreach (var asset in new[] { "app.js", "charts.js", "dashboard.css" })
            Assert.True((await fixture.Anonymous.GetAsync($"/dashboard/{asset}")).IsSuccessStatusCode, asset);
    }

    [Fact]
    public async Task A_run_shows_its_steps_with_their_reasons_and_links_its_trace()
    {
        var version = await fixture.RegisterVersionAsync("prod.ml.churn_runs");
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var runId = await fixture.FinishedRunAsync("prod.ml.churn_runs", version, traceId);
        var page = await fixture.SignedInAsync(fixture.AdminToken);

        var row = page.Locator("#runs tbody tr", new() { HasText = "prod.ml.churn_runs" });
        Assert.Contains("Completed", await row.TextContentAsync());
        await fixture.ScreenshotAsync(page, "runs");
        await row.Locator("a.run-link").ClickAsync();

        var steps = page.Locator("#timeline li");
        await steps.First.WaitForAsync();
        Assert.Equal(6, await steps.CountAsync());
        Assert.Contains("challenger auc 0.83 beats champion 0.79", await steps.Nth(4).TextContentAsync());
        Assert.Contains("Promoting", await steps.Nth(4).Locator(".step-state").TextContentAsync());
        Assert.Equal(6, await page.Locator("svg.timeline-chart rect.step").CountAsync());
        Assert.Equal($"http://trace-ui.test/trace/{traceId}", await page.GetAttributeAsync("#run-trace a", "href"));
        Assert.Contains(runId.ToString(), await page.TextContentAsync("h1"));
        Assert.Contains("holdout", await page.TextContentAsync("#evaluation"));
        await fixture.ScreenshotAsync(page, "run-timeline");
    }

    [Fact]
    public async Task A_model_shows_its_versions_aliases_alias_history_compliance_and_lineage()
    {
        const string model = "prod.ml.churn_models";
        var compliant = new Dictionary<string, string> { ["compliance.status"] = "passed", ["compliance.mode"] = "enforce", ["compliance.rule.min_auc"] = "passed: auc 0.8 >= 0.7" };
        var first = await fixture.RegisterVersionAsync(model, compliant);
        var second = await fixture.RegisterVersionAsync(model, new Dictionary<string, string> { ["compliance.status"] = "failed", ["compliance.mode"] = "warn" });
        await fixture.SetAliasAsync(model, ModelAliases.Champion, first);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, second);
        var page = await fixture.SignedInAsync(fixture.AdminToken);

        await page.ClickAsync("#nav a[data-page=models]");
        await page.Locator("#models a.model-link", new() { HasText = model }).ClickAsync();
        var versions = page.Locator("#versions tbody tr");
        await versions.First.WaitForAsync();

        Assert.Equal(2, await versions.CountAsync());
        Assert.Contains("passed", await page.Locator($"#versions tr[data-version='{first}'] .compliance").TextContentAsync());
        Assert.Contains("min_auc", await page.Locator($"#versions tr[data-version='{first}'] .compliance").TextContentAsync());
        Assert.Contains("failed", await page.Locator($"#versions tr[data-version='{second}'] .compliance").TextContentAsync());
        Assert.Contains("champion", await page.Locator($"#versions tr[data-version='{second}']").TextContentAsync());
        Assert.Contains($"champion → v{second}", await page.TextContentAsync("h1 + p"));
        var history = page.Locator("#alias-history tbody tr");
        Assert.Equal(2, await history.CountAsync());
        Assert.Contains($"v{second}", await history.Nth(1).TextContentAsync());

        await page.Locator($"#versions tr[data-version='{second}'] button.link").ClickAsync();
        await page.Locator("#lineage dl").WaitForAsync();
        Assert.Contains("t v1", await page.TextContentAsync("#lineage"));
        await fixture.ScreenshotAsync(page, "model");
    }

    [Fact]
    public async Task Monitoring_draws_drift_per_feature_over_time_with_its_threshold_and_alerts()
    {
        const string model = "prod.ml.churn_drift";
        var version = await fixture.RegisterVersionAsync(model);
        // tenure stays stable; charges drifts past the 0.2 threshold in the last three of eight windows.
        await fixture.MonitoredWindowsAsync(model, version, 8, (feature, i) => feature == "charges" ? 0.02 + i * 0.04 : 0.03 + (i % 2) * 0.01, "tenure", "charges");
        await fixture.OpenAlertAsync(model, version, "charges", 0.30);
        await fixture.OpenAlertAsync(model, version, "performance", "model", "model", "auc", 0.09);
        await fixture.OpenAlertAsync(model, version, "drift", "prediction", "prediction", "psi", 0.25);
        var audited = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'monitoring.read'");
        var page = await fixture.SignedInAsync(fixture.AdminToken);

        await page.ClickAsync("#nav a[data-page=monitoring]");
        await page.Locator("#monitoring-model").SelectOptionAsync(model);
        var charges = page.Locator("figure[data-subject=charges][data-metric=psi]");
        await charges.WaitForAsync();

        Assert.Equal(8, await charges.Locator("circle.point").CountAsync());
        Assert.Equal(3, await charges.Locator("circle.point.breached").CountAsync());
        Assert.Equal("0.2", await charges.Locator("line.threshold").GetAttributeAsync("data-threshold"));
        var tenure = page.Locator("figure[data-subject=tenure][data-metric=psi]");
        Assert.Equal(0, await tenure.Locator("circle.point.breached").CountAsync());
        Assert.Equal(8, await tenure.Locator("circle.point").CountAsync());
        Assert.Equal(1, await page.Locator("figure[data-subject=model][data-metric=auc]").CountAsync());
        var alerts = page.Locator("#alerts tbody tr");
        Assert.Equal(3, await alerts.CountAsync());
        Assert.All(await alerts.AllTextContentsAsync(), row => Assert.Contains("open", row));
        // Every subject reads as a reader says it: a feature by name, never the kind twice ("model model").
        var subjects = await page.Locator("#alerts tbody td.subject").AllTextContentsAsync();
        Assert.Equal(["feature charges", "predictions", "whole model"], subjects.Order());
        Assert.Equal("whole model — auc", await page.Locator("figure[data-subject=model][data-metric=auc] .chart-title").TextContentAsync());
        // A prod read, audited like the registry's.
        Assert.Equal(audited + 1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'monitoring.read'"));
        await fixture.ScreenshotAsync(page, "monitoring");
    }

    [Fact]
    public async Task An_authorised_user_approves_and_denies_from_the_page()
    {
        using var _ = await fixture.PrincipalAsync("carol", "devops_engineer");
        var carol = await fixture.TokenAsync("carol");
        var toApprove = await fixture.RunAsync("prod.ml.churn_approve", requestedBy: "alice", releasedBy: "rob");
        var toDeny = await fixture.RunAsync("prod.ml.churn_deny", requestedBy: "alice", releasedBy: "rob");
        var page = await fixture.SignedInAsync(carol);

        await page.ClickAsync("#nav a[data-page=approvals]");
        var approveRow = page.Locator($"#approvals tr[data-run='{toApprove}']");
        await approveRow.WaitForAsync();
        await fixture.ScreenshotAsync(page, "approvals");
        await approveRow.Locator("input").FillAsync("looks good");
        await approveRow.Locator("button.approve").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync($"Approval of run {toApprove} sent");

        var denyRow = page.Locator($"#approvals tr[data-run='{toDeny}']");
        await denyRow.Locator("input").FillAsync("drift on charges");
        await denyRow.Locator("button.deny").ClickAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync($"Denial of run {toDeny} sent");

        var approval = Assert.Single(await fixture.OutboxMessagesAsync("PromotionApproved"), m => m.GetProperty("correlationId").GetGuid() == toApprove);
        Assert.Equal("carol", approval.GetProperty("principal").GetString());
        Assert.Equal("looks good", approval.GetProperty("comment").GetString());
        var denial = Assert.Single(await fixture.OutboxMessagesAsync("PromotionDenied"), m => m.GetProperty("correlationId").GetGuid() == toDeny);
        Assert.Equal("drift on charges", denial.GetProperty("reason").GetString());
        Assert.Equal(2, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'carol' AND action IN ('promotion.approve', 'promotion.deny') AND outcome = 'succeeded'"));
        Assert.True(await approveRow.Locator("button.approve").IsDisabledAsync());
        await fixture.ScreenshotAsync(page, "approvals-decided");
    }

    [Fact]
    public async Task A_user_without_the_right_is_not_offered_the_decision_and_a_refusal_is_shown()
    {
        var run = await fixture.RunAsync("prod.ml.churn_refused", requestedBy: "erin", releasedBy: "rob");
        using var victor = await fixture.PrincipalAsync("victor", "model_consumer");
        using var erin = await fixture.PrincipalAsync("erin", "ml_engineer");

        var viewer = await fixture.SignedInAsync(await fixture.TokenAsync("victor"));
        await viewer.ClickAsync("#nav a[data-page=approvals]");
        await viewer.Locator($"#approvals tr[data-run='{run}']").WaitForAsync();
        Assert.Equal(0, await viewer.Locator("#approvals button").CountAsync());
        Assert.True(await viewer.Locator("#no-promote").IsVisibleAsync());
        Assert.True(await viewer.Locator("#nav a[data-page=audit]").IsHiddenAsync());
        await fixture.ScreenshotAsync(viewer, "approvals-read-only");

        // erin holds models.promote but requested this run: the button is there, the API refuses, the page says why.
        var requester = await fixture.SignedInAsync(await fixture.TokenAsync("erin"));
        await requester.ClickAsync("#nav a[data-page=approvals]");
        await requester.Locator($"#approvals tr[data-run='{run}'] button.approve").ClickAsync();
        await Assertions.Expect(requester.Locator("#message")).ToContainTextAsync("Not allowed (403)");
        Assert.Contains("separation_of_duties", await requester.TextContentAsync("#message"));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE correlation_id = @run", new { run }));
        await fixture.ScreenshotAsync(requester, "approvals-refused");

        // The audit page is the admin's: reached by its address anyway, the API's 403 is shown.
        await requester.GotoAsync("/dashboard/#/audit");
        await Assertions.Expect(requester.Locator("#message")).ToContainTextAsync("audit.read");
    }

    [Fact]
    public async Task The_admin_reads_the_audit_trail_and_filters_it()
    {
        var page = await fixture.SignedInAsync(fixture.AdminToken);

        await page.ClickAsync("#nav a[data-page=audit]");
        await page.Locator("#audit tbody tr").First.WaitForAsync();
        Assert.Contains("intact", await page.TextContentAsync("#audit-chain"));
        Assert.Contains("identity.bootstrap", await page.TextContentAsync("#audit"));
        await fixture.ScreenshotAsync(page, "audit");

        await page.FillAsync("#audit-filter input[name=action]", "identity.bootstrap");
        await page.ClickAsync("#audit-filter button[type=submit]");
        await Assertions.Expect(page.Locator("#audit tbody tr")).ToHaveCountAsync(1);
        Assert.Contains("identity.bootstrap", await page.TextContentAsync("#audit tbody tr"));
    }

    [Fact]
    public async Task A_revoked_token_sends_the_user_back_to_sign_in()
    {
        using var _ = await fixture.PrincipalAsync("dora", "data_scientist");
        var issued = await fixture.Admin.PostAsJsonAsync("/api/principals/dora/tokens", new { description = "dashboard" });
        await ApiFixture.EnsureAsync(issued);
        var token = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var page = await fixture.SignedInAsync(token.GetProperty("token").GetString()!);

        await ApiFixture.EnsureAsync(await fixture.Admin.PostAsync($"/api/principals/dora/tokens/{token.GetProperty("tokenId").GetGuid()}/revoke", null));
        await page.ClickAsync("#nav a[data-page=models]");

        await page.Locator("#sign-in").WaitForAsync();
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("Signed out");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('mlops.token')"));
    }
}
