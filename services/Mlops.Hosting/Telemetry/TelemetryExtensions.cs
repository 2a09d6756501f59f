using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mlops.Hosting.Telemetry;

public static class TelemetryExtensions
{
    /// <summary>
    /// Traces and metrics for MassTransit, Npgsql, ASP.NET Core and our own spans, exported by OTLP when an endpoint is
    /// configured. Extra span processors registered as <c>BaseProcessor&lt;Activity&gt;</c> (a test's collector) are added too.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsTelemetry(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Telemetry");
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? section["ServiceName"] ?? builder.Environment.ApplicationName;
        var otlpEndpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? section["OtlpEndpoint"];
        Uri? otlp = string.IsNullOrWhiteSpace(otlpEndpoint) ? null : new Uri(otlpEndpoint);

        void Resource(ResourceBuilder resource) => resource.AddService(serviceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId);

        builder.Services.AddSingleton(provider =>
        {
            var tracing = Sdk.CreateTracerProviderBuilder()
                .ConfigureResource(Resource)
                .AddSource(MlopsTelemetry.Sources)
                .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()));
            foreach (var processor in provider.GetServices<BaseProcessor<Activity>>())
                tracing.AddProcessor(processor);
            if (otlp is not null)
                tracing.AddOtlpExporter(o => o.Endpoint = otlp);
            return tracing.Build()!;
        });

        builder.Services.AddSingleton(_ =>
        {
            var metrics = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(Resource)
                .AddMeter(MlopsTelemetry.Meters);
            if (otlp is not null)
                metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            return metrics.Build()!;
        });

        // First of all hosted services: the providers exist (and listen) before the bus or any consumer starts.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryLifetime>());

        if (otlp is not null)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
                logging.IncludeScopes = true;
                logging.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        }

        return builder;
    }
}
