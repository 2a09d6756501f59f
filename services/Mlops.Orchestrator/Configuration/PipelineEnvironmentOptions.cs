namespace Mlops.Orchestrator.Configuration;

/// <summary>
/// Pipeline:Environments:&lt;dev|staging|prod&gt;: what every model of one environment does unless the model sets it itself.
/// </summary>
public sealed class PipelineEnvironmentOptions
{
    /// <summary>Whether a person must approve the promotion of a better challenger; by default only in prod.</summary>
    public bool? RequireApproval { get; set; }

    /// <summary>The Cooldown of the environment's models that set none (see PipelineModelOptions.Cooldown).</summary>
    public TimeSpan? Cooldown { get; set; }

    /// <summary>
    /// How the compliance step runs for the environment's models: enforced (a failed rule archives the version and rejects
    /// the run), dry_run (rules run and are recorded, nothing is blocked) or disabled (no rule runs). Unset: the compliance
    /// service's own mode. A mode the compliance service sets for the model itself wins.
    /// </summary>
    public string? ComplianceMode { get; set; }

    /// <summary>The promotion margin, metric and baseline and the compliance metric floors for the environment's runs.</summary>
    public PipelineThresholdOptions Thresholds { get; set; } = new();

    /// <summary>The compliance modes a run can ask for.</summary>
    public static readonly IReadOnlyList<string> ComplianceModes = ["enforced", "dry_run", "disabled"];
}
