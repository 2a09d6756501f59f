using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Catalog.Registry;
using Mlops.Testing.Onnx;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>Runs (list, filter, show, follow as server-sent events) and the registry (search by name, tag and alias; versions; alias history).</summary>
public sealed class When_runs_and_models_are_read(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Runs_are_listed_filtered_and_shown()
    {
        var waiting = await fixture.RunAsync("staging.ml.runs", requestedBy: "alice", releasedBy: "rob");
        var done = await fixture.RunAsync("staging.ml.runs_other", requestedBy: "alice", releasedBy: "rob", state: "Completed");
        using var consumer = await fixture.PrincipalAsync("run-reader", "model_consumer");

        var all = await consumer.GetFromJsonAsync<JsonElement>("/api/runs?environment=staging");
        var filtered = await consumer.GetFromJsonAsync<JsonElement>("/api/runs?environment=staging&state=AwaitingApproval");
        var byModel = await consumer.GetFromJsonAsync<JsonElement>("/api/runs?model=staging.ml.runs_other");
        var pending = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/approvals?environment=staging");
        var shown = await consumer.GetFromJsonAsync<JsonElement>($"/api/runs/{waiting}");

        Assert.Equal(new[] { done, waiting }.Order(), Ids(all).Order());
        Assert.Equal([waiting], Ids(filtered));
        Assert.Equal([done], Ids(byModel));
        Assert.Equal([waiting], Ids(pending));
        Assert.Equal("alice", shown.GetProperty("principal").GetString());
        Assert.Equal("started", shown.GetProperty("history")[0].GetProperty("note").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await consumer.GetAsync($"/api/runs/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task A_run_is_followed_until_it_finishes()
    {
        var run = await fixture.RunAsync("dev.ml.followed", requestedBy: "alice", releasedBy: "rob", state: "Training");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stream = await fixture.Admin.GetStreamAsync($"/api/runs/{run}/events", timeout.Token);
        using var reader = new StreamReader(stream);
        Assert.Equal("event: history", await reader.ReadLineAsync(timeout.Token));
        Assert.Contains("\"note\":\"started\"", await reader.ReadLineAsync(timeout.Token));

        await fixture.Database.ExecuteAsync("""
            UPDATE pipeline.deploy_code_pipeline_runs
            SET current_state = 'Completed',
                data = jsonb_set(jsonb_set(data, '{history}', data->'history' || '[{"state":"Completed","at":"2026-01-01T00:00:00Z","note":"champion now 2"}]'),
                                 '{finishedAt}', '"2026-01-01T00:00:01Z"')
            WHERE correlation_id = @run
            """, new { run });

        var rest = await reader.ReadToEndAsync(timeout.Token);
        Assert.Contains("champion now 2", rest);
        Assert.Contains("event: finished", rest);
    }

    [Fact]
    public async Task Models_are_found_by_name_tag_and_alias_and_their_history_is_shown()
    {
        var v1 = await fixture.RegisterVersionAsync("dev.sales.forecast", new Dictionary<string, string> { ["pii"] = "false" });
        var v2 = await fixture.RegisterVersionAsync("dev.sales.forecast");
        await fixture.RegisterVersionAsync("dev.sales.churn", new Dictionary<string, string> { ["pii"] = "true" });
        await fixture.SetAliasAsync("dev.sales.forecast", ModelAliases.Champion, v1);
        await fixture.SetAliasAsync("dev.sales.forecast", ModelAliases.Champion, v2);
        using var scientist = await fixture.PrincipalAsync("searcher", "data_scientist");

        Assert.Equal(["dev.sales.churn", "dev.sales.forecast"], Names(await scientist.GetFromJsonAsync<JsonElement>("/api/models?catalog=dev&name=sales")));
        Assert.Equal(["dev.sales.forecast"], Names(await scientist.GetFromJsonAsync<JsonElement>("/api/models?catalog=dev&tag=pii=false")));
        Assert.Equal(["dev.sales.churn", "dev.sales.forecast"], Names(await scientist.GetFromJsonAsync<JsonElement>("/api/models?catalog=dev&tag=pii")));
        Assert.Equal(["dev.sales.forecast"], Names(await scientist.GetFromJsonAsync<JsonElement>("/api/models?catalog=dev&name=sales&alias=champion")));
        var model = await scientist.GetFromJsonAsync<JsonElement>("/api/models/dev.sales.forecast");
        Assert.Equal(v2, model.GetProperty("aliases").GetProperty("champion").GetInt32());
        var versions = await scientist.GetFromJsonAsync<JsonElement>("/api/models/dev.sales.forecast/versions");
        Assert.Equal("champion", versions[1].GetProperty("aliases")[0].GetString());
        var history = await scientist.GetFromJsonAsync<JsonElement>("/api/models/dev.sales.forecast/aliases/champion/history");
        Assert.Equal([v1, v2], history.EnumerateArray().Select(h => h.GetProperty("toVersion").GetInt32()));
        Assert.Equal(HttpStatusCode.NotFound, (await scientist.GetAsync("/api/models/dev.sales.nothing")).StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE principal = 'searcher'"));
    }

    [Fact]
    public async Task A_versions_model_format_is_shown_in_the_list_and_in_the_version()
    {
        var portable = await fixture.RegisterVersionAsync("dev.sales.formats");
        var onnx = await fixture.RegisterVersionAsync("dev.sales.formats", onnx: await OnnxExamples.VariantAsync("float_matrix_score"));
        using var scientist = await fixture.PrincipalAsync("format-reader", "data_scientist");

        var versions = await scientist.GetFromJsonAsync<JsonElement>("/api/models/dev.sales.formats/versions");
        var version = await scientist.GetFromJsonAsync<JsonElement>($"/api/models/dev.sales.formats/versions/{onnx}");

        Assert.Equal([(portable, "mlops.model/v1"), (onnx, "onnx")],
            versions.EnumerateArray().Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("modelFormat").GetString())));
        Assert.Equal("onnx", version.GetProperty("modelFormat").GetString());
    }

    private static List<Guid> Ids(JsonElement runs) => runs.EnumerateArray().Select(r => r.GetProperty("runId").GetGuid()).ToList();

    private static List<string> Names(JsonElement models) => models.EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToList();
}
