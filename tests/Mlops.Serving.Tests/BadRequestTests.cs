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

    private const string Json = "application/json";

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    private static string Record(string x, string color) => "{\"dataframe_records\": [{\"x\": " + x + ", \"color\": " + color + "}]}";

    /// <summary>Situation, body, content type, status, error_code, and what the message must say.</summary>
    public static TheoryData<string, byte[], string?, HttpStatusCode, string, string> Cases => new()
    {
        { "malformed JSON", U("{\"dataframe_records\": [ {\"x\": 1,"), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "not valid JSON" },
        { "truncated JSON", U("{\"dataframe_records\": [{\"x\": 1, \"color\": \"re"), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "not valid JSON" },
        { "empty body", [], Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "body is empty" },
        { "not an object", U("[1, 2]"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "must be a JSON object" },
        { "no known shape", U("{}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "one of dataframe_records, dataframe_split, inputs or instances" },
        { "unknown field", U("{\"rows\": []}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "Unknown field 'rows'" },
        { "unknown field beside a shape", U("{\"inputs\": {\"x\": [1], \"color\": [\"red\"]}, \"dataframe\": 1}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "Unknown field 'dataframe'" },
        { "two shapes", U("{\"inputs\": [], \"instances\": []}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "inputs and instances; send exactly one" },
        { "no rows", U("{\"instances\": []}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "instances holds no rows" },
        { "missing column", U("{\"dataframe_records\": [{\"x\": 1}]}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "no column 'color'" },
        { "record not an object", U("{\"dataframe_records\": [7]}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "dataframe_records[0] is not a record" },
        { "string for a number", U(Record("\"abc\"", "\"red\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "dataframe_records[0].x must be a number" },
        { "boolean for a number", U(Record("true", "\"red\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "x must be a number, not a boolean" },
        { "object for a string", U(Record("1", "{}")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "color must be a string, not an object" },
        { "NaN as a string", U(Record("\"NaN\"", "\"red\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "x must be a number, not the string \"NaN\"" },
        { "Infinity as a string", U(Record("\"-Infinity\"", "\"red\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "x must be a number, not the string \"-Infinity\"" },
        { "bare NaN", U(Record("NaN", "\"red\"")), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "column 'x' is NaN" },
        { "bare Infinity in columns", U("{\"inputs\": {\"color\": [\"red\"], \"x\": [-Infinity]}}"), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "column 'x' is -Infinity" },
        { "huge number", U(Record("1e400", "\"red\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "x is not a finite number" },
        { "number for a string", U(Record("1", "3")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "color must be a string" },
        { "raw control character", U(Record("1", "\"re\u0001d\"")), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "'0x01' is invalid within a JSON string" },
        { "escaped NUL", U(Record("1", "\"re\\u0000d\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "dataframe_records[0].color contains the character U+0000" },
        { "lone high surrogate", U(Record("1", "\"\\ud800\"")), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "dataframe_records[0].color is not valid Unicode" },
        { "lone low surrogate", U("{\"inputs\": {\"x\": [1], \"color\": [\"a\\udc00b\"]}}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "inputs.color[0] is not valid Unicode" },
        { "invalid UTF-8 bytes", [.. U("{\"dataframe_records\": [{\"x\": 1, \"color\": \"r"), 0xC3, 0x28, .. U("\"}]}")], Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "not valid UTF-8: column 'color' has the byte 0xC3" },
        { "duplicate key", U("{\"dataframe_records\": [{\"x\": 1, \"color\": \"red\", \"x\": 2}]}"), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "The key 'x' appears more than once" },
        { "duplicate shape key", U("{\"instances\": [], \"instances\": [{\"x\": 1, \"color\": \"red\"}]}"), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "The key 'instances' appears more than once" },
        { "deep nesting", U("{\"instances\": " + new string('[', 40) + new string(']', 40) + "}"), Json, HttpStatusCode.BadRequest, "MALFORMED_REQUEST", "depth" },
        { "ragged split", U("{\"dataframe_split\": {\"columns\": [\"x\", \"color\"], \"data\": [[1]]}}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "must be an array of 2 values" },
        { "uneven columns", U("{\"inputs\": {\"x\": [1, 2], \"color\": [\"red\"]}}"), Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "inputs column 'color' has 1 values" },
        { "too many rows", U("{\"inputs\": {\"x\": [" + string.Join(",", Enumerable.Repeat("1", 60)) + "], \"color\": [" + string.Join(",", Enumerable.Repeat("\"red\"", 60)) + "]}}"),
            Json, HttpStatusCode.BadRequest, "BAD_REQUEST", "at most 50 are accepted" },
        { "oversized body", U("{\"dataframe_records\": [" + string.Join(",", Enumerable.Repeat("{\"x\": 1, \"color\": \"red\"}", 400)) + "]}"),
            Json, HttpStatusCode.RequestEntityTooLarge, "REQUEST_TOO_LARGE", "larger than the 4096 bytes" },
        { "wrong content type", U(Record("1", "\"red\"")), "text/plain", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "'text/plain'; send application/json" },
        { "form content type", U(Record("1", "\"red\"")), "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send application/json" },
        { "no content type", U(Record("1", "\"red\"")), null, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send application/json" },
        { "another charset", U(Record("1", "\"red\"")), "application/json; charset=utf-16", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send application/json (UTF-8)" },
    };

    private Task<HttpResponseMessage> PostAsync(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        return fixture.Http.PostAsync($"/serving-endpoints/{ServingFixture.Model}/invocations", content);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task It_is_refused_with_a_message_naming_the_problem(string situation, byte[] body, string? contentType, HttpStatusCode status, string code, string message)
    {
        var response = await PostAsync(body, contentType);

        Assert.True(status == response.StatusCode, $"{situation}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, error.GetProperty("error_code").GetString());
        Assert.True(error.GetProperty("message").GetString()!.Contains(message), $"{situation}: {error}");
        Assert.False(response.Headers.Contains("X-Request-Id"));
    }

    [Theory]
    [InlineData("dev.ml.nobody_home", HttpStatusCode.NotFound, "has no champion")]
    [InlineData("dev.ml.x;drop table registry", HttpStatusCode.BadRequest, "is not a model name")]
    [InlineData("dev.ml.x' OR '1'='1", HttpStatusCode.BadRequest, "is not a model name")]
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

        foreach (var c in Cases)
            await PostAsync((byte[])c[1], (string?)c[2]);
        await GoodRequestLoggedAsync();

        // The log is written in order, so once the good request's row is in, every refused request before it would be too.
        Assert.Equal(before + 1, await LoggedRowsAsync());
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log_rejects"));
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
