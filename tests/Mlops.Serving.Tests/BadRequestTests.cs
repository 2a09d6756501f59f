using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class SmallBodyServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serving:MaxRequestBytes"] = "4096",
        ["Serving:MaxRows"] = "50",
    };
}

public sealed class When_a_request_is_bad(SmallBodyServingFixture fixture) : IClassFixture<SmallBodyServingFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        if (await fixture.Database.ScalarAsync<int?>("SELECT version FROM registry.aliases WHERE alias = 'champion'") is null)
        {
            var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
            await fixture.MoveAliasAsync("champion", v1, null);
            await Eventually.WaitAsync(() => fixture.InvokeAsync(new { dataframe_records = new[] { new { x = 1.0, color = "red" } } }),
                r => r.StatusCode == HttpStatusCode.OK, "the champion to load");
        }
    }

    public static TheoryData<string, string, HttpStatusCode, string> Cases => new()
    {
        { "malformed JSON", "{\"dataframe_records\": [ {\"x\": 1,", HttpStatusCode.BadRequest, "not valid JSON" },
        { "no known shape", "{\"rows\": []}", HttpStatusCode.BadRequest, "one of dataframe_records, dataframe_split, inputs or instances" },
        { "missing column", "{\"dataframe_records\": [{\"x\": 1}]}", HttpStatusCode.BadRequest, "no column 'color'" },
        { "string for a number", "{\"dataframe_records\": [{\"x\": \"abc\", \"color\": \"red\"}]}", HttpStatusCode.BadRequest, "dataframe_records[0].x must be a number" },
        { "NaN as a string", "{\"dataframe_records\": [{\"x\": \"NaN\", \"color\": \"red\"}]}", HttpStatusCode.BadRequest, "x must be a number, not the string \"NaN\"" },
        { "bare NaN", "{\"dataframe_records\": [{\"x\": NaN, \"color\": \"red\"}]}", HttpStatusCode.BadRequest, "column 'x' is NaN" },
        { "bare Infinity in columns", "{\"inputs\": {\"color\": [\"red\"], \"x\": [-Infinity]}}", HttpStatusCode.BadRequest, "column 'x' is -Infinity" },
        { "overflowing number", "{\"dataframe_records\": [{\"x\": 1e999, \"color\": \"red\"}]}", HttpStatusCode.BadRequest, "x is not a finite number" },
        { "number for a string", "{\"dataframe_records\": [{\"x\": 1, \"color\": 3}]}", HttpStatusCode.BadRequest, "color must be a string" },
        { "ragged split", "{\"dataframe_split\": {\"columns\": [\"x\", \"color\"], \"data\": [[1]]}}", HttpStatusCode.BadRequest, "must be an array of 2 values" },
        { "too many rows", "{\"inputs\": {\"x\": [" + string.Join(",", Enumerable.Repeat("1", 60)) + "], \"color\": [" + string.Join(",", Enumerable.Repeat("\"red\"", 60)) + "]}}",
            HttpStatusCode.BadRequest, "at most 50 are accepted" },
        { "oversized body", "{\"dataframe_records\": [" + string.Join(",", Enumerable.Repeat("{\"x\": 1, \"color\": \"red\"}", 400)) + "]}",
            HttpStatusCode.RequestEntityTooLarge, "larger than the 4096 bytes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task It_is_refused_with_a_message_naming_the_problem(string situation, string body, HttpStatusCode status, string message)
    {
        var response = await fixture.Http.PostAsync($"/serving-endpoints/{ServingFixture.Model}/invocations",
            new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(status == response.StatusCode, $"{situation}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.False(response.Headers.Contains("X-Request-Id"));
    }

    [Theory]
    [InlineData("dev.ml.nobody_home", HttpStatusCode.NotFound, "has no champion")]
    [InlineData("dev.ml.x;drop table registry", HttpStatusCode.BadRequest, "is not a model name")]
    [InlineData("churn", HttpStatusCode.BadRequest, "expected catalog.schema.model")]
    public async Task An_unknown_or_malformed_model_is_refused(string model, HttpStatusCode status, string message)
    {
        var response = await fixture.InvokeAsync(new { dataframe_records = new[] { new { x = 1.0, color = "red" } } }, Uri.EscapeDataString(model));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Nothing_of_a_refused_request_is_logged()
    {
        await GoodRequestLoggedAsync();
        var before = await LoggedRowsAsync();

        foreach (var body in Cases.Select(c => (string)c[1]))
            await fixture.Http.PostAsync($"/serving-endpoints/{ServingFixture.Model}/invocations", new StringContent(body, Encoding.UTF8, "application/json"));
        await GoodRequestLoggedAsync();

        // The log is written in order, so once the good request's row is in, every refused request before it would be too.
        Assert.Equal(before + 1, await LoggedRowsAsync());
    }

    private async Task GoodRequestLoggedAsync()
    {
        var good = await fixture.InvokeAsync(new { dataframe_records = new[] { new { x = 3.0, color = "blue" } } });
        var requestId = Guid.Parse(good.Headers.GetValues("X-Request-Id").Single());
        await Eventually.WaitAsync(() => fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE request_id = @requestId", new { requestId }),
            n => n == 1, "the good request's row");
    }

    private Task<long> LoggedRowsAsync() => fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log");

    public Task DisposeAsync() => Task.CompletedTask;
}
