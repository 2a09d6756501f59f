using Mlops.Catalog;
using Mlops.Contracts;

namespace Mlops.Compliance;

/// <summary>The governance rules every model version must meet, with per-model overrides.</summary>
public sealed class ComplianceOptions
{
    public const string Section = "Compliance";

    public static readonly IReadOnlyList<string> DefaultRequiredTags = ["pii", "gdpr"];

    /// <summary>disabled, dry_run or enforced.</summary>
    public string Mode { get; set; } = ComplianceModes.Enforced;

    /// <summary>Tags every version must carry; pii and gdpr when unset.</summary>
    public string[]? RequiredTags { get; set; }

    /// <summary>The least each validation metric must reach (for log_loss, lower is better: the most it may reach).</summary>
    public Dictionary<string, double> MetricFloors { get; set; } = new() { [ComplianceMetrics.Auc] = 0.65 };

    /// <summary>Overrides by the model's full name.</summary>
    public Dictionary<string, ModelComplianceOptions> Models { get; set; } = [];

    /// <summary>
    /// The model's own overrides, else what the run's environment asks for (<paramref name="run"/>, from
    /// Pipeline:Environments), else the defaults; floors merge metric by metric in that order.
    /// </summary>
    public CompliancePolicy PolicyFor(ModelName model, CheckCompliance? run = null)
    {
        var overrides = Models.GetValueOrDefault(model.FullName);
        var floors = new Dictionary<string, double>(MetricFloors);
        foreach (var (metric, floor) in (run?.MetricFloors ?? new Dictionary<string, double>()).Concat(overrides?.MetricFloors ?? []))
            floors[metric] = floor;

        return new CompliancePolicy(
            overrides?.Mode ?? run?.Mode ?? Mode,
            overrides?.RequiredTags ?? RequiredTags ?? DefaultRequiredTags,
            floors);
    }
}
