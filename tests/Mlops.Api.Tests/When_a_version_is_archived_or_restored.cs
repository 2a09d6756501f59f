using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Catalog.Registry;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// Archive and restore of a version (models.promote): who, when and why in the status history and the audit log; a version an
/// alias points at is refused, so Serving (which serves aliases) never points at an archived version.
/// </summary>
public sealed class When_a_version_is_archived_or_restored(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Archive_then_restore_round_trips_with_history_and_audit()
    {
        const string model = "prod.ml.archive_round";
        var version = await fixture.RegisterVersionAsync(model);
        using var operator_ = await fixture.PrincipalAsync("archiver", "devops_engineer");

        var archived = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{version}/archive", new { reason = "leaks a label" });
        var statusWhileArchived = await StatusAsync(model, version);
        var restored = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{version}/restore", new { reason = "label removed upstream" });

        Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
        var change = await archived.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("archived", change.GetProperty("toStatus").GetString());
        Assert.Equal("archiver", change.GetProperty("changedBy").GetString());
        Assert.Equal("archived", statusWhileArchived);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal("ready", await StatusAsync(model, version));
        Assert.Equal(["ready>archived:leaks a label", "archived>ready:label removed upstream"], await fixture.Database.QueryAsync<string>(
            "SELECT from_status || '>' || to_status || ':' || reason FROM registry.version_status_changes WHERE model_name = @model AND changed_by = 'archiver' ORDER BY id",
            new { model }));
        Assert.Equal(["model_version.archive:leaks a label", "model_version.restore:label removed upstream"], await fixture.Database.QueryAsync<string>(
            "SELECT action || ':' || detail FROM audit.entries WHERE principal = 'archiver' AND resource = @resource AND outcome = 'succeeded' ORDER BY seq",
            new { resource = $"model:{model}@{version}" }));
    }

    [Fact]
    public async Task The_champion_or_challenger_is_not_archived_and_stays_served()
    {
        const string model = "prod.ml.archive_champion";
        var champion = await fixture.RegisterVersionAsync(model);
        var challenger = await fixture.RegisterVersionAsync(model);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, champion);
        await fixture.SetAliasAsync(model, ModelAliases.Challenger, challenger);
        using var operator_ = await fixture.PrincipalAsync("champion-archiver", "devops_engineer");

        var refusedChampion = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{champion}/archive", new { reason = "oops" });
        var refusedChallenger = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{challenger}/archive", new { reason = "oops" });

        Assert.Equal(HttpStatusCode.Conflict, refusedChampion.StatusCode);
        Assert.Contains("champion", (await refusedChampion.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, refusedChallenger.StatusCode);
        Assert.Contains("challenger", (await refusedChallenger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal("ready", await StatusAsync(model, champion));
        Assert.Equal("ready", await StatusAsync(model, challenger));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM registry.version_status_changes WHERE model_name = @model", new { model }));
    }

    [Fact]
    public async Task Unknown_wrong_state_bad_input_and_missing_right_are_problem_details()
    {
        const string model = "dev.ml.archive_cases";
        var version = await fixture.RegisterVersionAsync(model);
        using var operator_ = await fixture.PrincipalAsync("cases-operator", "devops_engineer");
        using var scientist = await fixture.PrincipalAsync("cases-scientist", "data_scientist");

        var unknown = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/999/archive", new { reason = "x" });
        var notArchived = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{version}/restore", new { });
        var noReason = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{version}/archive", new { reason = " " });
        var badVersion = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/0/archive", new { reason = "x" });
        var forbidden = await scientist.PostAsJsonAsync($"/api/models/{model}/versions/{version}/archive", new { reason = "x" });
        var first = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{version}/archive", new { reason = "first" });
        var twice = await operator_.PostAsJsonAsync($"/api/models/{model}/versions/{version}/archive", new { reason = "second" });

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("version", await FieldAsync(unknown));
        Assert.Equal(HttpStatusCode.Conflict, notArchived.StatusCode);
        Assert.Contains("not archived", (await notArchived.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("reason", await FieldAsync(noReason));
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
        Assert.Equal("version", await FieldAsync(badVersion));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("models.promote", (await forbidden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permission").GetString());
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(["first"], await fixture.Database.QueryAsync<string>(
            "SELECT reason FROM registry.version_status_changes WHERE model_name = @model", new { model }));
    }

    private Task<string> StatusAsync(string model, int version) => fixture.Database.ScalarAsync<string>(
        "SELECT status FROM registry.model_versions WHERE model_name = @model AND version = @version", new { model, version });

    private static async Task<string?> FieldAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString();
}
