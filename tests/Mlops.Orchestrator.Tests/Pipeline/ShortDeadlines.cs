namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>Steps wait two seconds for a reply: deadlines fall within a test, and a prompt fake worker is always in time.</summary>
public sealed class ShortDeadlines : PipelineHosts
{
    public const string Collection = "pipeline with short deadlines";

    public override TimeSpan StepTimeout => TimeSpan.FromSeconds(2);

    /// <summary>An approval ends the run Rejected when its deadline passes: a test that approves gets the four seconds a step has over its two attempts.</summary>
    protected override Dictionary<string, string?> OrchestratorSettings()
    {
        var settings = base.OrchestratorSettings();
        settings["Pipeline:StepTimeouts:AwaitingApproval"] = "00:00:04";
        return settings;
    }
}
