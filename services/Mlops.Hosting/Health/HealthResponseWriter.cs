using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mlops.Hosting.Health;

/// <summary>
/// /health/ready as JSON: the overall status and, for every check, its status, description, data (the numbers behind a
/// Degraded) and error, so that an operator or a probe sees why, not only that.
/// </summary>
public static class HealthResponseWriter
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(x => x.Key, x => new
            {
                status = x.Value.Status.ToString(),
                description = x.Value.Description,
                durationMs = Math.Round(x.Value.Duration.TotalMilliseconds, 1),
                data = x.Value.Data,
                error = x.Value.Exception?.Message,
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Options, context.RequestAborted);
    }
}
