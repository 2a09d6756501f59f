using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mlops.Serving.Inference;

/// <summary>
/// Readiness of serving by entity key: Degraded from a failed lookup until the next one succeeds. Never Unhealthy: requests
/// carrying every input are still served, so the instance should stay in the load balancer while keyed requests get 503.
/// </summary>
public sealed class FeatureLookupHealthCheck(FeatureLookup lookup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lookup.LastFailure is not { } failure)
            return Task.FromResult(HealthCheckResult.Healthy("The latest lookup by entity key (if any) succeeded."));
        var data = new Dictionary<string, object>
        {
            ["failed_at"] = failure.At,
            ["reason"] = failure.Reason,
            ["transient"] = failure.Transient,
        };
        return Task.FromResult(HealthCheckResult.Degraded(
            $"The online feature store could not be read ({failure.Reason}): requests by entity key get 503, requests with every input are served.",
            data: data));
    }
}
