using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mlops.Hosting.Telemetry;

/// <summary>The Mlops ActivitySource and Meter for domain work, and the tag names every service uses on them.</summary>
public static class MlopsTelemetry
{
    public const string Name = "Mlops";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>The ActivitySources a service listens to besides those its instrumentation packages add (ASP.NET Core, HttpClient, Npgsql).</summary>
    public static readonly string[] Sources = ["MassTransit", Name];

    /// <summary>The Meters a service exports besides those its instrumentation packages add (ASP.NET Core, HttpClient, runtime, Npgsql).</summary>
    public static readonly string[] Meters = ["MassTransit", Name];

    /// <summary>Where every service answers Prometheus scrapes.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>A domain span of one pipeline step, tagged so it can be found by run, model and version.</summary>
    public static Activity? StartStep(string name, Guid runId, string model, string environment, int? version = null)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag(RunIdTag, runId.ToString()).SetTag(ModelTag, model).SetTag(EnvironmentTag, environment);
        if (version is { } number)
            activity?.SetTag(ModelVersionTag, number);
        return activity;
    }

    public const string RunIdTag = "mlops.run_id";
    public const string ModelTag = "mlops.model";
    public const string ModelVersionTag = "mlops.model_version";
    public const string EnvironmentTag = "mlops.environment";
    public const string StepTag = "mlops.step";
    public const string OutcomeTag = "mlops.outcome";
    public const string ProducerTag = "mlops.producer";
    public const string ConsumerTag = "mlops.consumer";
    public const string MessageTypeTag = "mlops.message_type";
}
