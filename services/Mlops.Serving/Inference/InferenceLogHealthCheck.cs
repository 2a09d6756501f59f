using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Mlops.Serving.Inference;

/// <summary>
/// Readiness of the inference log: Degraded once the queue or the age of its oldest unwritten row passes its threshold,
/// Unhealthy when the queue is full (requests are being refused) or the oldest row has waited so long the writer is stuck.
/// </summary>
public sealed class InferenceLogHealthCheck(InferenceLog log, IOptions<ServingOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value.InferenceLog;
        var pending = log.Pending;
        var lag = log.Lag;
        var degradedQueue = settings.DegradedQueueLength ?? Math.Max(1, log.Capacity / 10);
        var data = new Dictionary<string, object>
        {
            ["queue_length"] = pending,
            ["queue_capacity"] = log.Capacity,
            ["refusing"] = log.IsRefusing,
            ["queue_degraded_at"] = degradedQueue,
            ["lag_seconds"] = Math.Round(lag.TotalSeconds, 3),
            ["lag_degraded_seconds"] = settings.DegradedLag.TotalSeconds,
            ["lag_unhealthy_seconds"] = settings.UnhealthyLag.TotalSeconds,
        };

        var result = true switch
        {
            _ when pending >= log.Capacity || log.IsRefusing =>
                HealthCheckResult.Unhealthy($"The inference log is full ({pending} of {log.Capacity} rows): requests are refused.", data: data),
            _ when lag >= settings.UnhealthyLag => HealthCheckResult.Unhealthy($"The inference log writer is stuck: its oldest row waits for {lag.TotalSeconds:0.#} s.", data: data),
            _ when pending >= degradedQueue => HealthCheckResult.Degraded($"The inference log holds {pending} unwritten rows.", data: data),
            _ when lag >= settings.DegradedLag => HealthCheckResult.Degraded($"The inference log's oldest row waits for {lag.TotalSeconds:0.#} s.", data: data),
            _ => HealthCheckResult.Healthy($"{pending} rows queued, lag {lag.TotalMilliseconds:0} ms.", data),
        };
        return Task.FromResult(result);
    }
}
