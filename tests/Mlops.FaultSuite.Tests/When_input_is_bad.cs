using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mlops.Testing;
using RabbitMQ.Client;
using Xunit;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// A catalogue of bad input thrown at Serving (HTTP), at a consumer (raw publishes to RabbitMQ) and at the CLI. Each gets a
/// clear error naming the problem; the service keeps answering and the normal traffic after it is neither lost nor doubled.
/// </summary>
public sealed class When_input_is_bad(BadInputPlatform fixture) : IClassFixture<BadInputPlatform>
{
    private const string Model = "dev.ml.churn";

    // ---------------------------------------------------------------- HTTP
    private sealed record HttpCase(Func<byte[]> Body, HttpStatusCode[] Status, string[] Naming, string Path = $"serving-endpoints/{Model}/invocations");

    private static string Row(Action<Dictionary<string, object?>> spoil)
    {
        var row = ChurnRequests.OneRow();
        spoil(row);
        return JsonSerializer.Serialize(new { dataframe_records = new[] { row } });
    }

    private static string FirstNumeric => ChurnRequests.OneRow().First(c => c.Value is double).Key;

    private static string FirstText => ChurnRequests.OneRow().First(c => c.Value is string).Key;

    private static string Literal(string column, string literal) =>
        Row(r => r[column] = 0.123456789).Replace("0.123456789", literal, StringComparison.Ordinal);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly HttpStatusCode[] BadRequest = [HttpStatusCode.BadRequest];

    private static readonly Dictionary<string, HttpCase> HttpCases = new()
    {
        ["malformed JSON"] = new(() => Utf8("{\"dataframe_records\": [ {\"a\": 1,, }]}"), BadRequest, ["JSON"]),
        ["truncated JSON"] = new(() => Utf8(Row(_ => { })[..40]), BadRequest, ["JSON"]),
        ["empty body"] = new(() => [], BadRequest, ["JSON", "empty", "body"]),
        ["not an object"] = new(() => Utf8("[1, 2, 3]"), BadRequest, ["JSON object"]),
        ["no known shape"] = new(() => Utf8("{\"rows\": []}"), BadRequest, ["dataframe_records"]),
        ["no rows"] = new(() => Utf8("{\"dataframe_records\": []}"), BadRequest, ["no rows"]),
        ["missing column"] = new(() => Utf8(Row(r => r.Remove(FirstNumeric))), BadRequest, [FirstNumeric]),
        ["unknown top-level field"] = new(() => Utf8(Row(_ => { }).Insert(1, "\"surprise\": 1, ")), BadRequest, ["surprise"]),
        ["string for a number"] = new(() => Utf8(Row(r => r[FirstNumeric] = "abc")), BadRequest, [FirstNumeric]),
        ["number for a string"] = new(() => Utf8(Row(r => r[FirstText] = 3)), BadRequest, [FirstText]),
        ["array for a number"] = new(() => Utf8(Row(r => r[FirstNumeric] = new[] { 1, 2 })), BadRequest, [FirstNumeric]),
        ["object for a number"] = new(() => Utf8(Row(r => r[FirstNumeric] = new { value = 1 })), BadRequest, [FirstNumeric]),
        ["boolean for a number"] = new(() => Utf8(Row(r => r[FirstNumeric] = true)), BadRequest, [FirstNumeric]),
        ["record is null"] = new(() => Utf8("{\"dataframe_records\": [null]}"), BadRequest, ["record"]),
        ["bare NaN"] = new(() => Utf8(Literal(FirstNumeric, "NaN")), BadRequest, [FirstNumeric]),
        ["bare Infinity"] = new(() => Utf8(Literal(FirstNumeric, "-Infinity")), BadRequest, [FirstNumeric]),
        ["1e400"] = new(() => Utf8(Literal(FirstNumeric, "1e400")), BadRequest, [FirstNumeric]),
        ["raw control character in a string"] = new(() => Utf8(Row(r => r[FirstText] = "Month\u0001to").Replace("\\u0001", "\u0001")), BadRequest, ["JSON", "control", FirstText]),
        ["U+0000 in a string"] = new(() => Utf8(Row(r => r[FirstText] = "Month\0to")), BadRequest, ["U+0000", "\\u0000", "NUL", "null character", FirstText]),
        ["lone surrogate"] = new(() => Utf8(Row(r => r[FirstText] = "x").Replace("\"x\"", "\"\\uD800\"")), BadRequest, ["UTF", "surrogate", "Unicode", FirstText]),
        ["invalid UTF-8 bytes"] = new(() => [.. Utf8(Row(r => r[FirstText] = "ZZZZ")).SelectMany(b => b == (byte)'Z' ? new byte[] { 0xC3, 0x28 }.Take(1) : [b])],
            BadRequest, ["UTF-8", "UTF8", "JSON"]),
        ["duplicate keys"] = new(() => Utf8(Row(_ => { }).Replace("{\"", $"{{\"{FirstNumeric}\": 1, \"", StringComparison.Ordinal)), BadRequest, ["duplicate", FirstNumeric]),
        ["deep nesting"] = new(() => Utf8("{\"dataframe_records\": " + new string('[', 200) + new string(']', 200) + "}"), BadRequest, ["depth", "nest", "JSON"]),
        ["unknown model"] = new(() => Utf8(Row(_ => { })), [HttpStatusCode.NotFound], ["dev.ml.nosuch"], "serving-endpoints/dev.ml.nosuch/invocations"),
        ["SQL-looking model name"] = new(() => Utf8(Row(_ => { })), [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], ["model", "name"],
            "serving-endpoints/" + Uri.EscapeDataString("dev.ml.churn'; DROP TABLE registry.models;--") + "/invocations"),
        ["model name too long"] = new(() => Utf8(Row(_ => { })), [HttpStatusCode.BadRequest, HttpStatusCode.NotFound], ["model", "name"],
            $"serving-endpoints/dev.ml.{new string('c', 300)}/invocations"),
    };

    public static TheoryData<string> HttpKinds => [.. HttpCases.Keys];

    [FaultTheory]
    [MemberData(nameof(HttpKinds))]
    public async Task Serving_refuses_it_naming_the_problem(string kind)
    {
        var @case = HttpCases[kind];
        var content = new ByteArrayContent(@case.Body());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        string? failure = null;
        try
        {
            using var response = await fixture.Serving.PostAsync(@case.Path, content);
            var text = await response.Content.ReadAsStringAsync();
            failure = ExplainHttp(@case, response.StatusCode, text);
        }
        catch (HttpRequestException exception)
        {
            failure = $"the connection failed: {exception.Message}";
        }

        var started = Stopwatch.GetTimestamp();
        var normal = await NormalRequestAsync(kind);
        fixture.Record("http", kind, failure ?? normal, BadInputPlatform.Since(started));
        Assert.True(failure is null && normal is null, $"{kind}: {failure ?? normal}");
    }

    /// <summary>
    /// A body larger than Serving accepts, declared up front as a client would send it. Sent over a raw socket: the server
    /// answers 413 and closes without reading the rest, which HttpClient reports as a broken upload instead of the answer.
    /// </summary>
    [FaultFact]
    public async Task Serving_refuses_an_oversized_body_naming_the_limit()
    {
        const string kind = "oversized body";
        string? failure;
        var serving = fixture.Platform["Serving"];
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", serving.Port);
            var stream = client.GetStream();
            const long declared = 64L * 1024 * 1024;
            await stream.WriteAsync(Utf8($"POST /serving-endpoints/{Model}/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                          + $"Authorization: {fixture.Serving.DefaultRequestHeaders.Authorization}\r\n"
                                          + $"Content-Length: {declared}\r\n\r\n{{\"dataframe_records\": ["));
            using var reader = new StreamReader(stream);
            var statusLine = await reader.ReadLineAsync() ?? "";
            var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
            var status = int.TryParse(statusLine.Split(' ').ElementAtOrDefault(1), out var code) ? (HttpStatusCode)code : 0;
            failure = ExplainHttp(new HttpCase(() => [], [HttpStatusCode.RequestEntityTooLarge], ["larger than", "too large"]), status,
                body.Contains('{') ? body[body.IndexOf('{')..(body.LastIndexOf('}') + 1)] : body);
        }

        var started = Stopwatch.GetTimestamp();
        var normal = await NormalRequestAsync(kind);
        fixture.Record("http", kind, failure ?? normal, BadInputPlatform.Since(started));
        Assert.True(failure is null && normal is null, $"{kind}: {failure ?? normal}");
    }

    private static string? ExplainHttp(HttpCase @case, HttpStatusCode status, string text)
    {
        if (!@case.Status.Contains(status))
            return $"answered {(int)status} (expected {string.Join(" or ", @case.Status.Select(s => (int)s))}): {Shorten(text)}";
        try
        {
            using var error = JsonDocument.Parse(text);
            var code = error.RootElement.TryGetProperty("error_code", out var c) ? c.GetString() : null;
            var message = error.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
            if (string.IsNullOrEmpty(code) || string.IsNullOrEmpty(message))
                return $"the error has no error_code and message: {Shorten(text)}";
            return @case.Naming.Any(n => message.Contains(n, StringComparison.OrdinalIgnoreCase))
                ? null
                : $"the message does not name the problem ({string.Join(" / ", @case.Naming)}): {Shorten(message)}";
        }
        catch (JsonException)
        {
            return $"the error is not JSON: {Shorten(text)}";
        }
    }

    /// <summary>A valid request after the bad one: answered, and its row logged exactly once.</summary>
    private async Task<string?> NormalRequestAsync(string kind)
    {
        try
        {
            using var response = await fixture.Serving.PostAsJsonAsync($"serving-endpoints/{Model}/invocations",
                new { dataframe_records = new[] { ChurnRequests.OneRow() } });
            if (!response.IsSuccessStatusCode)
                return $"a normal request afterwards answered {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync())}";
            var requestId = Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());
            try
            {
                await Eventually.WaitAsync(() => fixture.Platform.Database.ScalarAsync<long>(
                    "SELECT count(*) FROM serving.inference_log WHERE request_id = @requestId", new { requestId }), n => n >= 1,
                    "the normal request to be logged", TimeSpan.FromSeconds(fixture.LogStuckSince is null ? 10 : 2));
            }
            catch (TimeoutException)
            {
                fixture.Count(1, 0);
                fixture.LogStuckSince ??= kind;
                return $"the normal request afterwards ({requestId}) was answered but never logged"
                    + (fixture.LogStuckSince == kind ? "" : $" (the inference log has written nothing since the case '{fixture.LogStuckSince}')");
            }
            var rows = await fixture.Platform.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE request_id = @requestId", new { requestId });
            fixture.Count(0, rows - 1);
            return rows == 1 ? null : $"the normal request afterwards was logged {rows} times";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return $"a normal request afterwards failed: {exception.Message}";
        }
    }

    // ---------------------------------------------------------------- the bus
    private sealed record BusCase(Func<string, Guid, byte[]> Body, string? ContentType = "application/vnd.masstransit+json", bool WithMessageId = true,
        BusOutcome Outcome = BusOutcome.DeadLettered);

    private enum BusOutcome
    {
        DeadLettered,
        Skipped,
        Consumed,
    }

    private static byte[] Envelope(string marker, object? message, string type = "urn:message:Mlops.Contracts:GroundTruthLanded", bool messageId = true)
    {
        var envelope = new Dictionary<string, object?>
        {
            ["messageType"] = new[] { type },
            ["message"] = message,
            ["sentTime"] = DateTimeOffset.UtcNow,
            ["headers"] = new Dictionary<string, object> { ["fault-suite-marker"] = marker },
            ["host"] = new { machineName = "fault-suite", processName = marker },
        };
        if (messageId)
            envelope["messageId"] = Guid.NewGuid();
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    private static object Labels(string marker, object? label = null, object? requestId = null, object? modelName = null) => new Dictionary<string, object?>
    {
        ["modelName"] = modelName ?? Model,
        ["environment"] = "dev",
        ["principal"] = marker,
        ["labels"] = new[] { new Dictionary<string, object?> { ["requestId"] = requestId ?? Guid.NewGuid(), ["rowIndex"] = 0, ["label"] = label ?? 1 } },
    };

    private static readonly Dictionary<string, BusCase> BusCases = new()
    {
        ["malformed JSON body"] = new((marker, id) => Utf8($"{{\"messageType\": [\"urn:message:Mlops.Contracts:GroundTruthLanded\"], \"message\": {{\"principal\": \"{marker}\", ")),
        ["not JSON at all"] = new((marker, id) => Utf8($"<xml>{marker}</xml>")),
        ["wrong field type"] = new((marker, id) => Envelope(marker, new Dictionary<string, object?> { ["modelName"] = Model, ["environment"] = "dev", ["principal"] = marker, ["labels"] = "abc" })),
        ["request id not a uuid"] = new((marker, id) => Envelope(marker, Labels(marker, requestId: "not-a-guid"))),
        ["label out of range"] = new((marker, id) => Envelope(marker, Labels(marker, label: 7))),
        ["missing required fields"] = new((marker, id) => Envelope(marker, new Dictionary<string, object?> { ["principal"] = marker })),
        ["model name with U+0000"] = new((marker, id) => Envelope(marker, Labels(marker, modelName: "dev.ml.ch\0urn"))),
        ["no message at all"] = new((marker, id) => Envelope(marker, null)),
        ["unknown message type"] = new((marker, id) => Envelope(marker, Labels(marker), "urn:message:Mlops.Contracts:NoSuchMessage"), Outcome: BusOutcome.Skipped),
        ["unknown content type"] = new((marker, id) => Utf8($"label=1;principal={marker}"), "text/plain"),
        ["without a MessageId"] = new((marker, id) => Envelope(marker, Labels(marker), messageId: false), WithMessageId: false),
        ["huge message"] = new((marker, id) => Utf8($"{{\"message\": \"{marker}{new string('x', 8 * 1024 * 1024)}")),
        ["future version with extra fields"] = new((marker, id) => Envelope(marker, new Dictionary<string, object?>((IDictionary<string, object?>)Labels(marker, requestId: id))
        {
            ["schemaVersion"] = 2, ["confidence"] = new { source = "crm", score = 0.9 },
        }), Outcome: BusOutcome.Consumed),
    };

    public static TheoryData<string> BusKinds => [.. BusCases.Keys];

    [FaultTheory]
    [MemberData(nameof(BusKinds))]
    public async Task A_consumer_sets_it_aside_with_a_reason(string kind)
    {
        var @case = BusCases[kind];
        var marker = "fault-" + Guid.NewGuid().ToString("N")[..12];
        var skippedBefore = await fixture.Platform.Broker.QueueDepthAsync(fixture.Platform.VirtualHost, "ground-truth-landed_skipped") ?? 0;
        var requestId = Guid.NewGuid();
        await PublishRawAsync(@case.Body(marker, requestId), @case.ContentType, @case.WithMessageId);

        string? failure;
        try
        {
            failure = @case.Outcome switch
            {
                BusOutcome.Skipped => await Eventually.WaitAsync(
                    async () => await fixture.Platform.Broker.QueueDepthAsync(fixture.Platform.VirtualHost, "ground-truth-landed_skipped") ?? 0,
                    n => n > skippedBefore, "the message in ground-truth-landed_skipped", TimeSpan.FromSeconds(20)) > 0 ? null : "not skipped",
                BusOutcome.Consumed => await Eventually.WaitAsync(() => fixture.Platform.Database.ScalarAsync<long>(
                    "SELECT count(*) FROM monitoring.ground_truth WHERE request_id = @requestId", new { requestId }),
                    n => n > 0, "its label to be stored", TimeSpan.FromSeconds(20)) == 1 ? null : "its label was stored twice",
                _ => await DeadLetterReasonAsync(marker),
            };
        }
        catch (TimeoutException exception)
        {
            failure = exception.Message;
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState == "42P01")
        {
            failure = $"no dead-letter table: {exception.MessageText}";
        }

        var started = Stopwatch.GetTimestamp();
        var normal = await NormalMessageAsync();
        fixture.Record("bus", kind, failure ?? normal, BadInputPlatform.Since(started));
        Assert.True(failure is null && normal is null, $"{kind}: {failure ?? normal}");
    }

    /// <summary>The dead letter holding the marker, with a reason; null when it is there.</summary>
    private async Task<string?> DeadLetterReasonAsync(string marker)
    {
        var reason = await Eventually.WaitAsync(() => fixture.Platform.Database.ScalarAsync<string?>(
                "SELECT coalesce(reason, '') FROM messaging.dead_letters WHERE body LIKE '%' || @marker || '%' ORDER BY failed_at DESC LIMIT 1", new { marker }),
            r => r is not null, $"a row in messaging.dead_letters for {marker}", TimeSpan.FromSeconds(30));
        return string.IsNullOrWhiteSpace(reason) ? "dead-lettered without a reason" : null;
    }

    /// <summary>A valid GroundTruthLanded after the bad one: its label is stored once.</summary>
    private async Task<string?> NormalMessageAsync()
    {
        var requestId = Guid.NewGuid();
        await PublishRawAsync(Envelope("normal", Labels("normal", requestId: requestId)), "application/vnd.masstransit+json", true);
        try
        {
            await Eventually.WaitAsync(() => fixture.Platform.Database.ScalarAsync<long>(
                "SELECT count(*) FROM monitoring.ground_truth WHERE request_id = @requestId", new { requestId }), n => n == 1,
                "the normal message to be consumed", TimeSpan.FromSeconds(30));
            return null;
        }
        catch (TimeoutException)
        {
            fixture.Count(1, 0);
            return $"a normal GroundTruthLanded afterwards ({requestId}) was never consumed";
        }
    }

    private async Task PublishRawAsync(byte[] body, string? contentType, bool withMessageId)
    {
        var factory = new ConnectionFactory
        {
            HostName = TestInfrastructure.RabbitMqHost, Port = TestInfrastructure.RabbitMqPort, VirtualHost = fixture.Platform.VirtualHost,
            UserName = TestInfrastructure.RabbitMqUser, Password = TestInfrastructure.RabbitMqPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { ContentType = contentType, DeliveryMode = DeliveryModes.Persistent };
        if (withMessageId)
            properties.MessageId = Guid.NewGuid().ToString();
        // The endpoint's own exchange (bound to its queue), as MassTransit's Send does.
        await channel.BasicPublishAsync("ground-truth-landed", "", mandatory: false, basicProperties: properties, body: body);
    }

    // ---------------------------------------------------------------- the CLI
    private sealed record CliCase(string[] Arguments, string[] Naming);

    private static readonly Dictionary<string, CliCase> CliCases = new()
    {
        ["unknown command"] = new(["frobnicate"], ["frobnicate"]),
        ["unknown option"] = new(["runs", "list", "--colour", "red"], ["--colour"]),
        ["not a number"] = new(["land-data", "--rows", "abc"], ["abc", "--rows"]),
        ["negative number"] = new(["land-data", "--rows", "-5"], ["rows", "-5"]),
        ["number too large"] = new(["runs", "list", "--limit", "99999999999999999999"], ["limit", "99999999999999999999"]),
        ["unknown environment"] = new(["land-data", "--rows", "10", "--environment", "nowhere"], ["nowhere", "environment"]),
        ["unknown model"] = new(["model", "show", "dev.ml.nosuch"], ["dev.ml.nosuch"]),
        ["not a model name"] = new(["model", "show", "not-a-model"], ["not-a-model", "catalog.schema.model"]),
        ["SQL-looking model name"] = new(["model", "show", "dev.ml.x'; DROP TABLE registry.models;--"], ["model", "name"]),
        ["not a run id"] = new(["runs", "show", "not-a-guid"], ["not-a-guid"]),
        ["missing required option"] = new(["rollback", "--model", Model], ["--reason"]),
    };

    public static TheoryData<string> CliKinds => [.. CliCases.Keys];

    [FaultTheory]
    [MemberData(nameof(CliKinds))]
    public async Task The_command_line_refuses_it_in_one_line(string kind)
    {
        var @case = CliCases[kind];
        var result = await fixture.Platform.CliAsync(@case.Arguments);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? failure = null;
        if (result.ExitCode == 0)
            failure = $"exit code 0: {Shorten(result.Output)}";
        else if (lines.Length != 1 || !lines[0].StartsWith("mlops: ", StringComparison.Ordinal))
            failure = $"exit code {result.ExitCode}, but not one 'mlops: ...' line on stderr: {Shorten(result.Error + result.Output)}";
        else if (!@case.Naming.Any(n => lines[0].Contains(n, StringComparison.OrdinalIgnoreCase)))
            failure = $"the error does not name the problem ({string.Join(" / ", @case.Naming)}): {lines[0]}";

        var started = Stopwatch.GetTimestamp();
        var normal = await fixture.Platform.CliAsync("model", "show", Model);
        var models = await fixture.Platform.Database.ScalarAsync<long>("SELECT count(*) FROM registry.models");
        var after = normal.ExitCode == 0 && models == 1 ? null : $"afterwards `mlops model show {Model}` exited {normal.ExitCode} with {models} models registered";
        fixture.Record("cli", kind, failure ?? after, BadInputPlatform.Since(started));
        Assert.True(failure is null && after is null, $"{kind}: {failure ?? after}");
    }

    private static string Shorten(string text) => text.Length <= 300 ? text.ReplaceLineEndings(" ") : text[..300].ReplaceLineEndings(" ") + "…";
}
