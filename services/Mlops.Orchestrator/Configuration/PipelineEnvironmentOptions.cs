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
}
