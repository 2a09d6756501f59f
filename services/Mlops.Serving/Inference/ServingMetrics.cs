using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mlops.Hosting.Telemetry;

namespace Mlops.Serving.Inference;

/// <summary>
/// Serving on the Mlops meter: each invocation's latency and answer (a histogram, and a counter whose rate is the requests per
/// second, per model and status code), and the inference log's queue and lag as observable gauges of this host. The latency
/// is the handler's, from the request's arrival to its answer, measured around it by an endpoint filter so the hot path
/// itself stays untouched.
/// </summary>
public sealed class ServingMetrics : IEndpointFilter
{
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _requests;

    public ServingMetrics(IMeterFactory meters, InferenceLog log)
    {
        var meter = meters.Create(MlopsTelemetry.Name);
        _latency = meter.CreateHistogram("mlops.serving.request.duration", "s", "Invocation latency, per model and status code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _requests = meter.CreateCounter<long>("mlops.serving.requests", "{request}",
            "Invocations answered, per model and status code: their rate is the requests per second.");
        meter.CreateObservableGauge("mlops.inference_log.lag", () => log.Lag.TotalSeconds, "s",
            "How long the oldest prediction not yet written to serving.inference_log has waited.");
        meter.CreateObservableGauge("mlops.inference_log.pending", () => log.Pending, "{row}",
            "Predictions answered and not yet written to serving.inference_log.");
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await next(context);
        var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        var tags = new TagList
        {
            // A refused name would let any caller add series at will: those requests share one.
            { MlopsTelemetry.ModelTag, status is StatusCodes.Status200OK or StatusCodes.Status503ServiceUnavailable ? context.HttpContext.GetRouteValue("model") as string : "(refused)" },
            { "http.response.status_code", status },
        };
        _latency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        _requests.Add(1, tags);
        return result;
    }
}
