using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mlops.Hosting.Telemetry;

/// <summary>
/// What OpenTelemetry.Extensions.Hosting would do, which is not available here: create the tracer and meter providers
/// before anything else starts (so the first spans are recorded) and flush them after everything else stopped.
/// The container disposes them with the host.
/// </summary>
public sealed class TelemetryLifetime(TracerProvider tracerProvider, MeterProvider meterProvider) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        tracerProvider.ForceFlush(5000);
        meterProvider.ForceFlush(5000);
        return Task.CompletedTask;
    }
}
