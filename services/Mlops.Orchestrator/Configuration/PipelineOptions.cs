namespace Mlops.Orchestrator.Configuration;

/// <summary>The <c>Pipeline</c> section: which models the orchestrator runs the deploy-code pipeline for, and its timings.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    public List<PipelineModelOptions> Models { get; set; } = [];

    public PipelineStepTimeouts StepTimeouts { get; set; } = new();

    /// <summary>
    /// How long a lane counts as busy while its newest run has not started yet (its StartPipelineRun still on the way).
    /// After that the run is taken as lost and the lane is free again, so one undeliverable start cannot block a model forever.
    /// </summary>
    public TimeSpan StartGracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    public PipelineModelOptions? FindModel(string modelName) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, modelName, StringComparison.Ordinal));
}
