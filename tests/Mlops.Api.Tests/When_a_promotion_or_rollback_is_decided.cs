using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Catalog.Registry;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>Separation of duties on approvals, and the explicit override a rollback to a never-champion version needs.</summary>
public sealed class When_a_promotion_or_rollback_is_decided(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Whoever_requested_the_run_cannot_approve_it()
    {
        using var alice = await fixture.PrincipalAsync("alice", "ml_engineer");
        var run = await fixture.RunAsync("staging.ml.sod_requested", requestedBy: "alice", releasedBy: "someone");

        var response = await alice.PostAsJsonAsync($"/api/approvals/{run}/approve", new { comment = "mine" });

        await AssertSeparationOfDutiesAsync(response, "alice", run);
    }

    [Fact]
    public async Task Whoever_released_the_code_cannot_approve_or_deny_it()
    {
        using var rob = await fixture.PrincipalAsync("rob", "ml_engineer");
        var run = await fixture.RunAsync("staging.ml.sod_released", requestedBy: "scheduler", releasedBy: "rob");

        await AssertSeparationOfDutiesAsync(await rob.PostAsJsonAsync($"/api/approvals/{run}/approve", new { }), "rob", run);
        await AssertSeparationOfDutiesAsync(await rob.PostAsJsonAsync($"/api/approvals/{run}/deny", new { reason = "spite" }), "rob", run);
    }

    [Fact]
    public async Task Someone_else_with_the_right_approves_and_the_approval_names_them()
    {
        using var carol = await fixture.PrincipalAsync("carol", "devops_engineer");
        var run = await fixture.RunAsync("prod.ml.sod_other", requestedBy: "alice", releasedBy: "rob");

        var response = await carol.PostAsJsonAsync($"/api/approvals/{run}/approve", new { comment = "looks good" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var approval = Assert.Single(await fixture.OutboxMessagesAsync("PromotionApproved"), m => m.GetProperty("correlationId").GetGuid() == run);
        Assert.Equal("carol", approval.GetProperty("principal").GetString());
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'carol' AND action = 'promotion.approve' AND outcome = 'succeeded' AND resource = 'model:prod.ml.sod_other'"));
    }

    [Fact]
    public async Task A_run_not_waiting_for_approval_cannot_be_approved()
    {
        using var dave = await fixture.PrincipalAsync("dave", "devops_engineer");
        var run = await fixture.RunAsync("dev.ml.sod_done", requestedBy: "alice", releasedBy: "rob", state: "Completed");

        var response = await dave.PostAsJsonAsync($"/api/approvals/{run}/approve", new { });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE correlation_id = @run", new { run }));
    }

    [Fact]
    public async Task Rolling_back_to_a_version_that_was_never_champion_needs_the_override()
    {
        const string model = "prod.ml.rollback";
        var first = await fixture.RegisterVersionAsync(model);
        var second = await fixture.RegisterVersionAsync(model);
        var rejected = await fixture.RegisterVersionAsync(model);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, first);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, second);
        using var operator_ = await fixture.PrincipalAsync("operator", "devops_engineer");
        using var release = await fixture.PrincipalAsync("release-manager", "devops_engineer", "rollback_override");

        var refused = await operator_.PostAsJsonAsync($"/api/models/{model}/rollback", new { toVersion = rejected, reason = "mallory's trick" });
        var toFormerChampion = await operator_.PostAsJsonAsync($"/api/models/{model}/rollback", new { toVersion = first, reason = "regression" });
        var overridden = await release.PostAsJsonAsync($"/api/models/{model}/rollback", new { toVersion = rejected, reason = "hotfix, signed off" });

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("models.rollback_override", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permission").GetString());
        Assert.Equal(HttpStatusCode.Accepted, toFormerChampion.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, overridden.StatusCode);
        var rollbacks = (await fixture.OutboxMessagesAsync("RollbackModel"))
            .Select(m => (Principal: m.GetProperty("principal").GetString(), To: m.GetProperty("toVersion").GetInt32())).ToList();
        Assert.Equal([("operator", first), ("release-manager", rejected)], rollbacks);
    }

    private async Task AssertSeparationOfDutiesAsync(HttpResponseMessage response, string principal, Guid run)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("separation_of_duties", problem.GetProperty("permission").GetString());
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE correlation_id = @run", new { run }));
        Assert.True(await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = @principal AND outcome = 'denied' AND detail LIKE 'Separation of duties%'", new { principal }) > 0);
    }
}
