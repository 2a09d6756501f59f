using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Hosting.Telemetry;
using Mlops.Serving.Models;
using Npgsql;

namespace Mlops.Serving.Inference;

/// <summary>
/// POST /serving-endpoints/{model}/invocations: validate, score with the champion (or the canary challenger), answer
/// {"predictions": [...]}, and queue every row for the inference log. Errors answer {"error_code", "message"} like
/// Databricks serving, and nothing of a refused request is logged as a prediction. A request is answered 200 only once room
/// for all its log rows is reserved: when the log stays full it gets 503 with Retry-After instead. Rows may name an entity key
/// instead of some or all inputs (<see cref="FeatureLookup"/>): they are scored and logged with the stored features merged in.
/// </summary>
public sealed class InvocationHandler(ServedModels models, InferenceLog log, FeatureLookup lookup, IOptions<ServingOptions> options)
{
    public async Task<IResult> HandleAsync(string model, HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var cancellationToken = http.RequestAborted;

        if (!ModelName.TryParse(model, out _, out var nameError))
            return Error(StatusCodes.Status400BadRequest, "INVALID_PARAMETER_VALUE", nameError);
        if (!IsJson(http.Request.ContentType))
            return Error(StatusCodes.Status415UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                $"The request's Content-Type is '{http.Request.ContentType}'; send application/json (UTF-8).");

        ServedModel? served;
        try
        {
            served = await models.GetAsync(model, cancellationToken);
        }
        catch (ModelUnavailableException exception)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "MODEL_UNAVAILABLE", exception.Message);
        }
        if (served is null)
            return Error(StatusCodes.Status404NotFound, "RESOURCE_DOES_NOT_EXIST", $"Model {model} has no champion to serve.");

        var traffic = options.Value.Traffic.GetValueOrDefault(model);
        var challenger = served.Challenger;
        var answering = challenger is not null && traffic is { CanaryPercent: > 0 } && Random.Shared.NextDouble() * 100 < traffic.CanaryPercent
            ? challenger
            : served.Champion;

        IReadOnlyList<object?[]> rows;
        byte[] body = [];
        try
        {
            body = await ReadBodyAsync(http, cancellationToken);
            if (body.Length == 0)
                return Error(StatusCodes.Status400BadRequest, "MALFORMED_REQUEST", "The request body is empty; send a JSON object with dataframe_records, dataframe_split, inputs or instances.");
            if (MalformedJson.ExplainInvalidUtf8(body) is { } encoding)
                return Error(StatusCodes.Status400BadRequest, "MALFORMED_REQUEST", encoding);
            using var document = JsonDocument.Parse(body, DocumentOptions);
            var (request, target) = await ParseAsync(document.RootElement, answering, cancellationToken);
            if (request.Keys is not null
                && await lookup.FillAsync(target!, request, answering.Model.Inputs, cancellationToken) is { Count: > 0 } unknown)
                return UnknownKeys(target!, unknown);
            rows = request.Rows;
        }
        catch (InvalidRequestException exception)
        {
            return Error(StatusCodes.Status400BadRequest, "BAD_REQUEST", exception.Message);
        }
        catch (JsonException exception)
        {
            return Error(StatusCodes.Status400BadRequest, "MALFORMED_REQUEST",
                MalformedJson.Explain(body, exception) ?? $"The request body is not valid JSON: {exception.Message}");
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            return LookupUnavailable(http, exception);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The rest of the body is not read: the connection cannot carry another request.
            http.Response.Headers.Connection = "close";
            return Error(StatusCodes.Status413PayloadTooLarge, "REQUEST_TOO_LARGE",
                $"The request body is larger than the {options.Value.MaxRequestBytes} bytes accepted; send fewer rows per request.");
        }

        using var activity = MlopsTelemetry.Source.StartActivity("score");
        activity?.SetTag(MlopsTelemetry.ModelTag, model);
        activity?.SetTag(MlopsTelemetry.ModelVersionTag, answering.Version);
        activity?.SetTag("mlops.rows", rows.Count);

        var predictions = new double[rows.Count];
        try
        {
            for (var i = 0; i < rows.Count; i++)
                predictions[i] = answering.Model.Score(rows[i]);
        }
        catch (InvalidModelException exception)
        {
            return Error(StatusCodes.Status500InternalServerError, "MODEL_ERROR", $"{model} v{answering.Version} could not score the request: {exception.Message}");
        }
        // Only an ONNX graph can give NaN: it let a null through that it does not impute. Nothing of the request is logged.
        if (Array.FindIndex(predictions, double.IsNaN) is var unscored and >= 0)
            return Error(StatusCodes.Status422UnprocessableEntity, "MODEL_OUTPUT_INVALID",
                $"{model} v{answering.Version} gave no probability (NaN) for row {unscored}; its graph does not impute a null it was given: send a value for every input.");

        var shadow = traffic is { ShadowChallenger: true } && challenger is not null && !ReferenceEquals(answering, challenger)
            && challenger.Model.Inputs.SequenceEqual(answering.Model.Inputs);
        var logRows = shadow ? 2 * rows.Count : rows.Count;
        var logSettings = options.Value.InferenceLog;
        if (!await log.TryReserveAsync(logRows, logSettings.EnqueueTimeout, cancellationToken))
        {
            http.Response.Headers.RetryAfter = "1";
            return Error(StatusCodes.Status503ServiceUnavailable, "TEMPORARILY_UNAVAILABLE", log.IsClosed
                ? "This instance is shutting down; retry on another instance."
                : $"The inference log is full ({log.Pending} rows wait to be written) and every prediction must be logged; retry shortly.");
        }

        var requestId = Guid.NewGuid();
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var servedAt = DateTimeOffset.UtcNow;
        var inputs = answering.Model.Inputs;
        for (var i = 0; i < rows.Count; i++)
            log.Enqueue(new InferenceRecord(requestId, i, model, answering.Version, false, FeaturesJson(inputs, rows[i]), predictions[i], latency, servedAt));

        if (shadow)
            Shadow(challenger!, rows, requestId, servedAt);

        http.Response.Headers["X-Request-Id"] = requestId.ToString();
        http.Response.Headers["X-Model-Version"] = answering.Version.ToString();
        return new PredictionsResult(predictions);
    }

    /// <summary>
    /// Scores the challenger on the same rows and logs it as shadow traffic; the caller never sees these predictions. Only a
    /// challenger with the answering model's inputs shadows: the rows were checked against that signature.
    /// </summary>
    private void Shadow(LoadedModel challenger, IReadOnlyList<object?[]> rows, Guid requestId, DateTimeOffset servedAt)
    {
        var started = Stopwatch.GetTimestamp();
        var predictions = new double[rows.Count];
        bool scored;
        try
        {
            for (var i = 0; i < rows.Count; i++)
                predictions[i] = challenger.Model.Score(rows[i]);
            scored = !predictions.Any(double.IsNaN);
        }
        catch (InvalidModelException)
        {
            scored = false;
        }
        // The caller never sees shadow predictions: a challenger that cannot score these rows just logs none for them.
        if (!scored)
        {
            log.Release(rows.Count);
            return;
        }
        for (var i = 0; i < rows.Count; i++)
            log.Enqueue(new InferenceRecord(requestId, i, challenger.ModelName, challenger.Version, true, FeaturesJson(challenger.Model.Inputs, rows[i]),
                predictions[i], Stopwatch.GetElapsedTime(started).TotalMilliseconds, servedAt));
    }

    /// <summary>
    /// The request's rows, read with the entity key of the version's online feature table when it is known. A row missing an
    /// input before it is known may be the first request by key: the table is looked for once, and the request read again.
    /// </summary>
    private async ValueTask<(InvocationRows Request, LookupTarget? Target)> ParseAsync(JsonElement root, LoadedModel answering, CancellationToken cancellationToken)
    {
        var target = lookup.Cached(answering);
        try
        {
            return (InvocationRequestParser.Parse(root, answering.Model.Inputs, options.Value.MaxRows, target?.Table.EntityColumn), target);
        }
        catch (MissingColumnException) when (target is null)
        {
            target = await lookup.ResolveAsync(answering, cancellationToken);
            if (target is null)
                throw;
            return (InvocationRequestParser.Parse(root, answering.Model.Inputs, options.Value.MaxRows, target.Table.EntityColumn), target);
        }
    }

    /// <summary>
    /// 503 for a request by key when the online store (or the registry naming its table) cannot be read. Only a transient failure
    /// (unreachable, restarting, overloaded) says when to retry; anything else (a revoked grant, a dropped table) is the
    /// deployment's to fix, and the message says so. Requests with every input are not affected.
    /// </summary>
    private IResult LookupUnavailable(HttpContext http, Exception exception)
    {
        var transient = DatabaseFailure.IsTransient(exception);
        lookup.Failed(exception, DateTimeOffset.UtcNow, transient);
        if (transient)
            http.Response.Headers.RetryAfter = "1";
        return Error(StatusCodes.Status503ServiceUnavailable, "TEMPORARILY_UNAVAILABLE", transient
            ? $"The online feature store cannot be reached to look up entity keys ({exception.Message}); retry shortly, or send every input."
            : $"The online feature store refuses this instance's lookups of entity keys ({exception.Message}): the deployment must be fixed; send every input meanwhile.");
    }

    /// <summary>404 naming every key the online table of the model's environment does not hold (the message names the first 20).</summary>
    private static IResult UnknownKeys(LookupTarget target, IReadOnlyList<long> unknown)
    {
        var named = string.Join(", ", unknown.Take(20)) + (unknown.Count > 20 ? $" and {unknown.Count - 20} more" : "");
        return Results.Json(new
        {
            error_code = "RESOURCE_DOES_NOT_EXIST",
            message = $"No features for {target.Table.EntityColumn} {named} in feature table {target.Table.Name} ({target.Environment}).",
            entity_column = target.Table.EntityColumn,
            unknown_keys = unknown,
        }, statusCode: StatusCodes.Status404NotFound);
    }

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private async Task<byte[]> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxRequestBytes;
        if (http.Request.ContentLength > limit)
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            sizeLimit.MaxRequestBodySize = limit;

        // A declared length (the usual case) is read straight into an array of that size; a chunked body is gathered.
        if (http.Request.ContentLength is { } length)
        {
            var body = new byte[length];
            await http.Request.Body.ReadExactlyAsync(body, cancellationToken);
            return body;
        }
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    // One writer and buffer per thread: a row's features are written straight to UTF-8, with no dictionary and no
    // reflection-based serialiser per row. The output is what JsonSerializer wrote for the same values (same encoder).
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_featuresBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_featuresWriter;

    private static string FeaturesJson(IReadOnlyList<SignatureColumn> inputs, object?[] row)
    {
        var buffer = t_featuresBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_featuresWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartObject();
        for (var c = 0; c < inputs.Count; c++)
        {
            writer.WritePropertyName(inputs[c].Name);
            switch (row[c])
            {
                case null:
                case double d when double.IsNaN(d):
                    writer.WriteNullValue();
                    break;
                case double d:
                    writer.WriteNumberValue(d);
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case var other:
                    JsonSerializer.Serialize(writer, other);
                    break;
            }
        }
        writer.WriteEndObject();
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error_code = code, message }, statusCode: status);
}
