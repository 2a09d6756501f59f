using System.Text.Json;

namespace Mlops.Serving.Inference;

/// <summary>
/// The 200 answer, <c>{"predictions":[...]}</c>, written straight to the response pipe: the bytes Results.Json wrote for the same
/// array (the serialiser writes each number with the same Utf8JsonWriter call), without serialising an anonymous type through
/// the reflection-based serialiser on every request.
/// </summary>
public sealed class PredictionsResult(double[] predictions) : IResult, IStatusCodeHttpResult
{
    // One writer per thread, reset onto each response: nothing is awaited between Reset and Flush.
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var writer = t_writer ??= new Utf8JsonWriter(response.BodyWriter);
        writer.Reset(response.BodyWriter);
        try
        {
            writer.WriteStartObject();
            writer.WriteStartArray("predictions");
            foreach (var prediction in predictions)
                writer.WriteNumberValue(prediction);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            // The writer must not keep the response's pipe alive once this request is done.
            writer.Reset(Stream.Null);
        }
        return response.BodyWriter.FlushAsync(httpContext.RequestAborted).AsTask();
    }
}
