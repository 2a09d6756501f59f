using System.ComponentModel.DataAnnotations;
using Mlops.Catalog;

namespace Mlops.Monitoring;

/// <summary>How predictions are windowed and when windows are evaluated (<c>Monitoring</c>), with the judging policy of every model.</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Monitoring";

    /// <summary>The length of the fixed time windows predictions are grouped in (aligned on the Unix epoch).</summary>
    public TimeSpan WindowSize { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after its end a window is left open to predictions still on their way before it is first evaluated.</summary>
    public TimeSpan WindowGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this instance evaluates closed windows on a schedule (on-demand evaluation by MonitorModel works either way).</summary>
    public bool EvaluateOnSchedule { get; set; } = true;

    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Up to this many rows a window keeps its raw values for exact KS and Wasserstein; beyond, histograms only. Each merge
    /// rewrites the kept values, so this stays small; 0 keeps none.
    /// </summary>
    [Range(0, 100_000)]
    public int RawValueLimit { get; set; } = 2_000;

    /// <summary>The policy of every model without its own (<c>Monitoring:Defaults</c>); unset values take the seed defaults.</summary>
    [Required]
    public ModelMonitoringOptions Defaults { get; set; } = new();

    /// <summary>Overrides by the model's full name (<c>Monitoring:Models:&lt;catalog.schema.model&gt;</c>); unset values inherit the defaults.</summary>
    public Dictionary<string, ModelMonitoringOptions> Models { get; set; } = [];

    public MonitoringPolicy PolicyFor(ModelName model) => PolicyFor(model.FullName);

    public MonitoringPolicy PolicyFor(string modelName) =>
        MonitoringPolicy.Resolve(Defaults, Models.GetValueOrDefault(modelName));
}
