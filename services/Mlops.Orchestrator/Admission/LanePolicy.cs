using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;

namespace Mlops.Orchestrator.Admission;

/// <summary>One active run per model and environment, and the cooldown between automatic runs.</summary>
public static class LanePolicy
{
    public static LaneDecision Decide(LaneSnapshot lane, TriggerKind kind, PipelineModelOptions model, TimeSpan startGracePeriod)
    {
        if (lane.ActiveRunId is { } runId && IsActive(lane, startGracePeriod))
            return LaneDecision.RecordOn(runId);

        if (kind.RespectsCooldown && model.Cooldown is { } cooldown && lane.LastStartedAt is { } lastStart && lastStart + cooldown > lane.Now)
            return LaneDecision.Ignore(
                $"{model.Name} is cooling down until {lastStart + cooldown:yyyy-MM-dd HH:mm:ss}Z: its last run started at {lastStart:yyyy-MM-dd HH:mm:ss}Z and Cooldown is {cooldown}.");

        return LaneDecision.Start;
    }

    /// <summary>
    /// A run counts as active until its saga reaches a final state. Before its saga exists (the start message is on its
    /// way) it counts as active for the grace period only.
    /// </summary>
    public static bool IsActive(LaneSnapshot lane, TimeSpan startGracePeriod) =>
        lane.ActiveRunId is not null && (lane.ActiveRunState is { } state
            ? !DeployCodePipelineStateMachine.IsFinal(state)
            : lane.LastStartedAt is { } started && lane.Now - started < startGracePeriod);
}
