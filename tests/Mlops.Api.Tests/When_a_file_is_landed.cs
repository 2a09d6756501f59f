using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// Bring your own data, second step: CSV and JSON-lines files land into a registered raw table over HTTP as one batch each,
/// with RawDataLanded and the audit entry in the same transaction; a bad file is refused whole, naming the line and column of
/// each problem, and nothing of it is stored.
/// </summary>
public sealed class When_a_file_is_landed(LandingFixture fixture) : IClassFixture<LandingFixture>
{
    private const string Header = "order_id,customer_id,amount,score,quantity,ordered_at,ship_date,express,note";

    [Fact]
    public async Task A_csv_file_lands_its_rows_typed_with_its_event_and_audit_entry()
    {
        var batchId = Guid.NewGuid();
        var csv = $"""
            {Header}
            1,10,12.50,0.25,3,2024-05-01T13:45:00Z,2024-05-03,true,"first, with a comma"
            2,11,,1e-3,,2024-05-01 14:00:00+02:00,,f,"two
            lines"
            3,12,-7,-2.5,0,2024-05-02,2024-05-04,no,

            """;

        var response = await LandAsync(fixture.Admin, csv, "text/csv", $"environment=staging&batchId={batchId}");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var landed = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((batchId, 3L, "raw.shop_orders", "staging", false),
            (landed.GetProperty("batchId").GetGuid(), landed.GetProperty("rowCount").GetInt64(), landed.GetProperty("sourceTable").GetString(),
             landed.GetProperty("environment").GetString(), landed.GetProperty("replayed").GetBoolean()));
        var rows = await fixture.Database.QueryAsync<string>("""
            SELECT concat_ws('|', order_id, customer_id, amount, score, quantity, to_char(ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ship_date, express, note)
            FROM raw.shop_orders WHERE batch_id = @batchId ORDER BY order_id
            """, new { batchId });
        Assert.Equal(
            ["1|10|12.50|0.25|3|2024-05-01 13:45|2024-05-03|t|first, with a comma", "2|11|0.001|2024-05-01 12:00|f|two\nlines",
             "3|12|-7|-2.5|0|2024-05-02 00:00|2024-05-04|f"],
            rows);
        var message = Assert.Single(await fixture.OutboxMessagesAsync("RawDataLanded"), m => m.GetProperty("batchId").GetGuid() == batchId);
        Assert.Equal(("staging", "raw.shop_orders", 3L, "root"),
            (message.GetProperty("environment").GetString(), message.GetProperty("sourceTable").GetString(), message.GetProperty("rowCount").GetInt64(),
             message.GetProperty("principal").GetString()));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'data.landed' AND resource = @resource AND outcome = 'succeeded'",
            new { resource = $"data:staging/raw.shop_orders/{batchId}" }));
        Assert.Equal(("raw.shop_orders", 3L, "staging"), Assert.Single(await fixture.Database.QueryAsync<(string, long, string)>(
            "SELECT source_table, row_count, environment FROM raw.batches WHERE batch_id = @batchId", new { batchId })));
    }

    [Fact]
    public async Task A_json_lines_file_lands_numbers_strings_and_nulls_as_their_column_types()
    {
        var jsonl = """
            {"order_id": 1, "customer_id": "9007199254740993", "amount": 1.10, "score": 2, "ordered_at": "2024-05-01T00:00:00Z", "express": true, "note": "ü \"quoted\""}

            {"order_id": 2, "customer_id": 5, "amount": null, "ordered_at": "2024-05-01T01:00:00+01:00", "ship_date": "2024-06-01", "express": "false"}
            """;

        var response = await LandAsync(fixture.Admin, jsonl, "application/x-ndjson", "environment=dev");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var batchId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetGuid();
        var rows = await fixture.Database.QueryAsync<string>("""
            SELECT concat_ws('|', order_id, customer_id, amount, score, to_char(ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), ship_date, express, note)
            FROM raw.shop_orders WHERE batch_id = @batchId ORDER BY order_id
            """, new { batchId });
        Assert.Equal(["1|9007199254740993|1.10|2|2024-05-01 00:00|t|ü \"quoted\"", "2|5|2024-05-01 00:00|2024-06-01|f"], rows);
    }

    [Fact]
    public async Task A_retried_upload_with_its_batch_id_lands_once_and_the_id_cannot_name_another_batch()
    {
        var batchId = Guid.NewGuid();
        var csv = $"{Header}\n1,10,,,,2024-05-01,,,\n2,10,,,,2024-05-01,,,\n";

        var first = await LandAsync(fixture.Admin, csv, "text/csv", $"environment=dev&batchId={batchId}");
        var retry = await LandAsync(fixture.Admin, csv, "text/csv", $"environment=dev&batchId={batchId}");
        var elsewhere = await LandAsync(fixture.Admin, csv, "text/csv", $"environment=prod&batchId={batchId}");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var replayed = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((true, 2L), (replayed.GetProperty("replayed").GetBoolean(), replayed.GetProperty("rowCount").GetInt64()));
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.shop_orders WHERE batch_id = @batchId", new { batchId }));
        Assert.Single(await fixture.OutboxMessagesAsync("RawDataLanded"), m => m.GetProperty("batchId").GetGuid() == batchId);
    }

    [Fact]
    public async Task Uploads_of_one_batch_id_at_the_same_time_land_it_once()
    {
        var batchId = Guid.NewGuid();
        var csv = new StringBuilder(Header + "\n");
        for (var i = 1; i <= 500; i++)
            csv.Append($"{i},{i % 7},{i}.5,,,2024-05-01,,,\n");

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LandAsync(fixture.Admin, csv.ToString(), "text/csv", $"environment=dev&batchId={batchId}")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Equal(500L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.shop_orders WHERE batch_id = @batchId", new { batchId }));
        Assert.Single(await fixture.OutboxMessagesAsync("RawDataLanded"), m => m.GetProperty("batchId").GetGuid() == batchId);
    }

    /// <summary>Each kind of bad file: its content (a <c>{FF}</c> is the byte 0xFF), and the line, column and reason of its first problem.</summary>
    public static TheoryData<string, string, int, string?, string> BadFiles => new()
    {
        { "csv", $"{Header}\n1,abc,,,,2024-05-01,,,\n", 2, "customer_id", "'abc' is not a whole number (bigint)." },
        { "csv", $"{Header}\n1,99999999999999999999,,,,2024-05-01,,,\n", 2, "customer_id", "'99999999999999999999' is out of range for bigint." },
        { "csv", $"{Header}\n1,10,,,3000000000,2024-05-01,,,\n", 2, "quantity", "'3000000000' is out of range for integer." },
        { "csv", $"{Header}\n1,10,,NaN,,2024-05-01,,,\n", 2, "score", "'NaN' is refused: NaN and infinities are not landed in double precision." },
        { "csv", $"{Header}\n1,10,,-Infinity,,2024-05-01,,,\n", 2, "score", "'-Infinity' is refused: NaN and infinities are not landed in double precision." },
        { "csv", $"{Header}\n1,10,,1e400,,2024-05-01,,,\n", 2, "score", "'1e400' is out of range for double precision." },
        { "csv", $"{Header}\n1,10,,1e-400,,2024-05-01,,,\n", 2, "score", "'1e-400' is out of range for double precision." },
        { "csv", $"{Header}\n1,10,NaN,,,2024-05-01,,,\n", 2, "amount", "'NaN' is refused: NaN and infinities are not landed in numeric." },
        { "csv", $"{Header}\n1,10,1e40,,,2024-05-01,,,\n", 2, "amount", "out of the range landed for numeric" },
        { "csv", $"{Header}\n1,10,,,,yesterday,,,\n", 2, "ordered_at", "'yesterday' is not a timestamp" },
        { "csv", $"{Header}\n1,10,,,,2024-05-01T25:00:00Z,,,\n", 2, "ordered_at", "is not a timestamp" },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,2024-02-30,,\n", 2, "ship_date", "'2024-02-30' is not a date" },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,,maybe,\n", 2, "express", "'maybe' is not a boolean" },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,,,a\0b\n", 2, "note", "NUL character" },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,,,caf{{FF}}\n", 2, "note", "the value is not valid UTF-8." },
        { "csv", $"{Header}\n1,,,,,2024-05-01,,,\n", 2, "customer_id", "required column customer_id is empty." },
        { "csv", $"{Header}\n1,10,,,,,,,\n", 2, "ordered_at", "required column ordered_at is empty." },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,,,\n2,10,,,\n", 3, null, "the record has 5 field(s); the header has 9." },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,,,\n1,11,,,,2024-05-02,,,\n", 3, "order_id", "the key (order_id) = (1) is already on line 2" },
        { "csv", $"{Header},colour\n1,10,,,,2024-05-01,,,,red\n", 1, "colour", "'colour' is not a column of raw.shop_orders" },
        { "csv", $"{Header},amount\n1,10,,,,2024-05-01,,,,1\n", 1, "amount", "column amount appears more than once in the header." },
        { "csv", "order_id,ordered_at\n1,2024-05-01\n", 1, "customer_id", "required column customer_id is missing from the header." },
        { "csv", $"{Header}\n1,10,,,,2024-05-01,,,\"open \"quote\n", 2, null, "malformed CSV" },
        { "csv", "", 1, null, "the file is empty" },
        { "csv", $"{Header}\n", 1, null, "the file holds no rows." },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01"}""" + "\n{\"order_id\": 2,\n", 2, null, "the line is not valid JSON" },
        { "jsonl", "[1, 2]\n", 1, null, "the line is a JSON array, not an object of column values." },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "colour": "red"}""", 1, "colour", "'colour' is not a column of raw.shop_orders" },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "note": {"a": 1}}""", 1, "note", "a JSON object is not a column value." },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "note": "\ud800"}""", 1, "note", "unpaired surrogate" },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "note": "a\u0000b"}""", 1, "note", "NUL character" },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "order_id": 2}""", 1, "order_id", "property order_id appears more than once." },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "score": 1e400}""", 1, "score", "'1e400' is out of range for double precision." },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "score": "Infinity"}""", 1, "score", "NaN and infinities are not landed" },
        { "jsonl", """{"order_id": 1, "customer_id": 10, "ordered_at": "2024-05-01", "quantity": 1.5}""", 1, "quantity", "'1.5' is not a whole number (integer)." },
        { "jsonl", """{"order_id": 1, "ordered_at": "2024-05-01"}""", 1, "customer_id", "required column customer_id is empty." },
        { "jsonl", "{\"order_id\": 1, \"customer_id\": 10, \"ordered_at\": \"2024-05-01\", \"note\": \"caf{FF}\"}", 1, "note", "the string is not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_file_is_refused_whole_naming_line_and_column_and_nothing_is_stored(string format, string content, int line, string? column,
        string reason)
    {
        var batchId = Guid.NewGuid();
        // A good row first, so that refusing the file must take back rows already written.
        var response = await LandAsync(fixture.Admin, Bytes(content), format == "csv" ? "text/csv" : "application/x-ndjson", $"environment=dev&batchId={batchId}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var first = problem.GetProperty("problems")[0];
        Assert.Equal(line, first.GetProperty("line").GetInt32());
        Assert.Equal(column, first.GetProperty("column").GetString());
        Assert.Contains(reason, first.GetProperty("message").GetString());
        await AssertNothingStoredAsync(batchId);
    }

    [Fact]
    public async Task A_file_with_many_problems_is_refused_naming_the_first_twenty_in_file_order()
    {
        var batchId = Guid.NewGuid();
        var csv = new StringBuilder(Header + "\n1,10,,,,2024-05-01,,,\n");
        for (var i = 2; i <= 40; i++)
            csv.Append($"{i},x{i},,,,2024-05-01,,,\n");

        var response = await LandAsync(fixture.Admin, csv.ToString(), "text/csv", $"environment=dev&batchId={batchId}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var problems = problem.GetProperty("problems").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(3, 20), problems.Select(p => p.GetProperty("line").GetInt32()));
        Assert.All(problems, p => Assert.Equal("customer_id", p.GetProperty("column").GetString()));
        Assert.True(problem.GetProperty("truncated").GetBoolean());
        Assert.StartsWith("The file was refused: 20 or more problem(s); the first: line 3, column customer_id: 'x2' is not a whole number",
            problem.GetProperty("detail").GetString());
        await AssertNothingStoredAsync(batchId);
        Assert.True(await fixture.Database.ScalarAsync<long>("""
            SELECT count(*) FROM audit.entries WHERE action = 'data.landed' AND outcome = 'failed' AND resource = 'data:dev/raw.shop_orders'
                   AND detail LIKE 'The file was refused: 20 or more problem(s)%'
            """) >= 1, "the refused landing is audited as failed");
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_is_refused_with_413_and_nothing_is_stored()
    {
        var batchId = Guid.NewGuid();
        var csv = new StringBuilder(Header + "\n");
        for (var i = 1; csv.Length <= LandingFixture.MaxLandingBytes; i++)
            csv.Append($"{i},10,,,,2024-05-01,,,padding padding padding padding\n");

        var response = await LandAsync(fixture.Admin, csv.ToString(), "text/csv", $"environment=dev&batchId={batchId}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingStoredAsync(batchId);
    }

    [Fact]
    public async Task Landing_into_an_environment_the_principal_may_not_write_is_403_audited_and_stores_nothing()
    {
        var batchId = Guid.NewGuid();
        var principal = "ds-" + Guid.NewGuid().ToString("N")[..6];
        using var scientist = await fixture.PrincipalAsync(principal, "data_scientist");

        var refused = await LandAsync(scientist, $"{Header}\n1,10,,,,2024-05-01,,,\n", "text/csv", $"environment=prod&batchId={batchId}");
        var allowed = await LandAsync(scientist, $"{Header}\n1,10,,,,2024-05-01,,,\n", "text/csv", "environment=dev");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("catalog.write", "prod"), (problem.GetProperty("permission").GetString(), problem.GetProperty("catalog").GetString()));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = @principal AND action = 'data.landed' AND outcome = 'denied' AND resource = 'data:prod/raw.shop_orders'",
            new { principal }));
        await AssertNothingStoredAsync(batchId);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task A_request_that_does_not_say_what_the_file_is_or_names_no_registered_table_is_refused()
    {
        var csv = $"{Header}\n1,10,,,,2024-05-01,,,\n";

        var noType = await LandAsync(fixture.Admin, csv, "application/octet-stream", "environment=dev");
        var latin1 = await LandAsync(fixture.Admin, csv, "text/csv; charset=iso-8859-1", "environment=dev");
        var badFormat = await LandAsync(fixture.Admin, csv, "text/csv", "environment=dev&format=xlsx");
        var unknown = await fixture.Admin.PostAsync("/api/raw/tables/raw.nothing_here/batches?environment=dev", Content(Encoding.UTF8.GetBytes(csv), "text/csv"));
        var badName = await fixture.Admin.PostAsync("/api/raw/tables/raw.Orders;drop/batches?environment=dev", Content(Encoding.UTF8.GetBytes(csv), "text/csv"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, noType.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, latin1.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
    }

    private async Task AssertNothingStoredAsync(Guid batchId)
    {
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.batches WHERE batch_id = @batchId", new { batchId }));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.shop_orders WHERE batch_id = @batchId", new { batchId }));
        Assert.DoesNotContain(await fixture.OutboxMessagesAsync("RawDataLanded"), m => m.GetProperty("batchId").GetGuid() == batchId);
    }

    private static Task<HttpResponseMessage> LandAsync(HttpClient client, string content, string contentType, string query) =>
        LandAsync(client, Encoding.UTF8.GetBytes(content), contentType, query);

    private static Task<HttpResponseMessage> LandAsync(HttpClient client, byte[] content, string contentType, string query) =>
        client.PostAsync($"/api/raw/tables/{LandingFixture.Table}/batches?{query}", Content(content, contentType));

    private static ByteArrayContent Content(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>UTF-8, except that each <c>{FF}</c> becomes the byte 0xFF, which no UTF-8 text holds.</summary>
    private static byte[] Bytes(string content) =>
        content.Split("{FF}").Select(Encoding.UTF8.GetBytes).Aggregate((a, b) => [.. a, 0xFF, .. b]);
}
