using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mlops.Hosting.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry through OpenTelemetry.Extensions.Hosting: traces of MassTransit, our own spans, Npgsql, ASP.NET Core and
    /// HttpClient; metrics of the same plus the .NET runtime, exported by OTLP when an endpoint is configured (the standard
    /// <c>OTEL_EXPORTER_OTLP_*</c> variables) and served to Prometheus by <c>MapMlopsDefaults</c> at /metrics.
    /// Extra span processors registered as <c>BaseProcessor&lt;Activity&gt;</c> (a test's collector) are added too.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsTelemetry(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? options.ServiceName ?? builder.Environment.ApplicationName;
        var otlpEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? options.OtlpEndpoint;
        Uri? otlp = string.IsNullOrWhiteSpace(otlpEndpoint) ? null : new Uri(otlpEndpoint);
        var samplerChosenByEnvironment = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]);

        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithTracing(tracing =>
            {
                tracing.AddSource(MlopsTelemetry.Sources)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsScrapeOrProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (otlp is not null)
                    tracing.AddOtlpExporter(o => o.Endpoint = otlp);
                ((IDeferredTracerProviderBuilder)tracing).Configure((provider, deferred) =>
                {
                    var processors = provider.GetServices<BaseProcessor<Activity>>().ToList();
                    foreach (var processor in processors)
                        deferred.AddProcessor(processor);
                    if (!samplerChosenByEnvironment)
                        deferred.SetSampler(TelemetrySampler.For(exporting: otlp is not null || processors.Count > 0, options.SampleRatio));
                });
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MlopsTelemetry.Meters)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddPrometheusExporter();
                if (otlp is not null)
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            });

        if (otlp is not null)
            telemetry.WithLogging(logging => logging.AddOtlpExporter(o => o.Endpoint = otlp), logging => logging.IncludeScopes = true);

        return builder;
    }

    /// <summary>Prometheus scrapes and health probes every few seconds: as spans they would bury the traces that matter.</summary>
    private static bool IsScrapeOrProbe(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments(MlopsTelemetry.MetricsPath) || path.StartsWithSegments("/health");
}
