namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>Approvals wait three seconds, with a reminder two seconds before the deadline; every other step a minute.</summary>
public sealed class ApprovalDeadlines : PipelineHosts
{
    public static readonly TimeSpan ApprovalTimeout = TimeSpan.FromSeconds(3);

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override Dictionary<string, string?> OrchestratorSettings()
    {
        var settings = base.OrchestratorSettings();
        settings["Pipeline:StepTimeouts:AwaitingApproval"] = "00:00:03";
        settings["Pipeline:ApprovalReminderBefore"] = "00:00:02";
        return settings;
    }
}
