namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>Steps wait a minute: a run a fake worker never answers stays active for the whole test.</summary>
public sealed class LongDeadlines : PipelineHosts
{
    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);
}
