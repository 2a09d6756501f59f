using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Catalog.Registry;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>The seed's audit queries: who changed or read model X between two dates, and the compliance report as JSON or CSV.</summary>
public sealed class When_the_audit_log_is_queried(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string Model = "prod.ml.reported";

    [Fact]
    public async Task Who_changed_or_read_a_model_between_two_dates()
    {
        var version = await fixture.RegisterVersionAsync(Model);
        await fixture.RegisterVersionAsync("prod.ml.other");
        await fixture.SetAliasAsync(Model, ModelAliases.Champion, version);
        using var reader = await fixture.PrincipalAsync("reader", "model_consumer");
        using var changer = await fixture.PrincipalAsync("changer", "ml_engineer");
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);

        await ApiFixture.EnsureAsync(await reader.GetAsync($"/api/models/{Model}/versions/{version}"));
        await ApiFixture.EnsureAsync(await changer.PostAsJsonAsync("/api/ingestion/code-released", new { modelName = Model, codeVersion = "v2", trainer = "logistic_regression" }));
        await ApiFixture.EnsureAsync(await reader.GetAsync("/api/models/prod.ml.other"));
        var to = DateTimeOffset.UtcNow.AddSeconds(1);

        var entries = await fixture.Admin.GetFromJsonAsync<JsonElement>(
            $"/api/audit/entries?model={Model}&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}");

        var seen = entries.EnumerateArray().Select(e => (e.GetProperty("principal").GetString(), e.GetProperty("action").GetString(), e.GetProperty("resource").GetString())).ToList();
        Assert.Equal([("reader", "model.version.read", $"model:{Model}@{version}"), ("changer", "code.released", $"model:{Model}")], seen);
        Assert.All(entries.EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("traceId").GetString())));
        Assert.All(entries.EnumerateArray(), e => Assert.False(string.IsNullOrEmpty(e.GetProperty("requestId").GetString())));
    }

    [Fact]
    public async Task The_compliance_report_comes_as_json_and_csv()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var scientist = await fixture.PrincipalAsync("reporter", "data_scientist");
        await scientist.PostAsJsonAsync("/api/ingestion/code-released", new { modelName = "prod.ml.reported", codeVersion = "nope", trainer = "logistic_regression" });
        var range = $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}";

        var json = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/audit/report?{range}");
        var csv = await fixture.Admin.GetAsync($"/api/audit/report?{range}&format=csv");

        Assert.True(json.GetProperty("chain").GetProperty("intact").GetBoolean());
        Assert.Contains(json.GetProperty("summary").EnumerateArray(), line =>
            line.GetProperty("action").GetString() == "code.released" && line.GetProperty("outcome").GetString() == "denied");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("intact", csv.Headers.GetValues("Audit-Chain").Single());
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("seq,at,principal,action,resource,outcome,detail,trace_id,request_id,hash", lines[0]);
        Assert.Equal(json.GetProperty("entries").GetArrayLength(), lines.Length - 1);
        Assert.Contains(lines, l => l.Contains(",reporter,code.released,model:prod.ml.reported,denied,"));
    }
}
