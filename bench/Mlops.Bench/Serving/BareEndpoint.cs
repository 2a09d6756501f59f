using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mlops.Bench.Serving;

/// <summary>
/// P5's baseline: a bare ASP.NET Core minimal API on the same route that parses the same JSON body (dataframe_records with
/// the model's two columns) and answers the same shape, {"predictions": [...]}, scoring the same logistic formula. No
/// validation beyond what parsing needs, no model lookup, no inference log, no tracing, no health checks.
/// </summary>
public static class BareEndpoint
{
    /// <summary>Serves until the process is stopped.</summary>
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/serving-endpoints/{model}/invocations", async (string model, HttpContext http) =>
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            var records = document.RootElement.GetProperty("dataframe_records");
            var predictions = new double[records.GetArrayLength()];
            var i = 0;
            foreach (var record in records.EnumerateArray())
            {
                var x = record.GetProperty("x").GetDouble();
                var red = record.GetProperty("color").GetString() == "red" ? 1.0 : 0.0;
                predictions[i++] = 1.0 / (1.0 + Math.Exp(-(ServingBenchmark.Intercept + ServingBenchmark.Weight * x + red)));
            }
            return Results.Json(new { predictions });
        });
        await app.RunAsync();
    }
}
