using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Hosting.Telemetry;
using Mlops.Serving.Models;

namespace Mlops.Serving.Inference;

/// <summary>
/// POST /serving-endpoints/{model}/invocations: validate, score with the champion (or the canary challenger), answer
/// {"predictions": [...]}, and queue every row for the inference log. Errors answer {"error_code", "message"} like
/// Databricks serving, and nothing of a refused request is logged as a prediction.
/// </summary>
public sealed class InvocationHandler(ServedModels models, InferenceLog log, IOptions<ServingOptions> options)
{
    public async Task<IResult> HandleAsync(string model, HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        var cancellationToken = http.RequestAborted;

        if (!ModelName.TryParse(model, out _, out var nameError))
            return Error(StatusCodes.Status400BadRequest, "INVALID_PARAMETER_VALUE", nameError);

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
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            rows = InvocationRequestParser.Parse(document.RootElement, answering.Model.Inputs, options.Value.MaxRows);
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
        for (var i = 0; i < rows.Count; i++)
            predictions[i] = answering.Model.Score(rows[i]);

        var requestId = Guid.NewGuid();
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var servedAt = DateTimeOffset.UtcNow;
        var inputs = answering.Model.Inputs;
        for (var i = 0; i < rows.Count; i++)
            await log.WriteAsync(new InferenceRecord(requestId, i, model, answering.Version, false, FeaturesJson(inputs, rows[i]), predictions[i], latency, servedAt),
                cancellationToken);

        if (traffic is { ShadowChallenger: true } && challenger is not null && !ReferenceEquals(answering, challenger))
            await ShadowAsync(challenger, answering.Model.Inputs, rows, requestId, servedAt, cancellationToken);

        http.Response.Headers["X-Request-Id"] = requestId.ToString();
        http.Response.Headers["X-Model-Version"] = answering.Version.ToString();
        return Results.Json(new { predictions });
    }

    /// <summary>Scores the challenger on the same rows and logs it as shadow traffic; the caller never sees these predictions.</summary>
    private async Task ShadowAsync(LoadedModel challenger, IReadOnlyList<SignatureColumn> checkedInputs, IReadOnlyList<object?[]> rows, Guid requestId,
        DateTimeOffset servedAt, CancellationToken cancellationToken)
    {
        // Rows were checked against the champion's signature; a challenger with other inputs cannot shadow them.
        if (!challenger.Model.Inputs.SequenceEqual(checkedInputs))
            return;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < rows.Count; i++)
        {
            var prediction = challenger.Model.Score(rows[i]);
            await log.WriteAsync(new InferenceRecord(requestId, i, challenger.ModelName, challenger.Version, true, FeaturesJson(challenger.Model.Inputs, rows[i]),
                prediction, Stopwatch.GetElapsedTime(started).TotalMilliseconds, servedAt), cancellationToken);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxRequestBytes;
        if (http.Request.ContentLength > limit)
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
            sizeLimit.MaxRequestBodySize = limit;

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static string FeaturesJson(IReadOnlyList<SignatureColumn> inputs, object?[] row)
    {
        var values = new Dictionary<string, object?>(inputs.Count);
        for (var c = 0; c < inputs.Count; c++)
            values[inputs[c].Name] = row[c] is double d && double.IsNaN(d) ? null : row[c];
        return JsonSerializer.Serialize(values);
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error_code = code, message }, statusCode: status);
}
