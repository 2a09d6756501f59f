namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>Steps wait two seconds for a reply: deadlines fall within a test, and a prompt fake worker is always in time.</summary>
public sealed class ShortDeadlines : PipelineHosts
{
    public const string Collection = "pipeline with short deadlines";

    public override TimeSpan StepTimeout => TimeSpan.FromSeconds(2);
}
