using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;

namespace Mlops.Orchestrator.Admission;

/// <summary>One active run per model and environment, and the cooldown between automatic runs.</summary>
public static class LanePolicy
{
    public static LaneDecision Decide(LaneSnapshot lane, TriggerKind kind, PipelineModelOptions model, PipelineOptions settings)
    {
        if (lane.ActiveRunId is { } runId && IsActive(lane, settings.StartGracePeriod))
            return LaneDecision.RecordOn(runId);

        if (CooldownOf(kind, model, settings) is { } cooldown && lane.LastStartedAt is { } lastStart && lastStart + cooldown > lane.Now)
        {
            var endsAt = lastStart + cooldown;
            var setting = (model.Cooldown, settings.CooldownOf(model)) switch
            {
                (not null, _) => $"Cooldown is {cooldown}",
                (null, not null) => $"Pipeline:Environments:{model.Environment}:Cooldown is {cooldown}",
                _ => $"Pipeline:DefaultCooldown is {cooldown} (the model sets no Cooldown)",
            };
            return LaneDecision.CoolDown(endsAt,
                $"{model.Name} is cooling down until {endsAt:yyyy-MM-dd HH:mm:ss}Z: its last run started at {lastStart:yyyy-MM-dd HH:mm:ss}Z and {setting}.");
        }

        return LaneDecision.Start;
    }

    /// <summary>How long a trigger of <paramref name="kind"/> is held back after the model's last run started; null when not at all.</summary>
    public static TimeSpan? CooldownOf(TriggerKind kind, PipelineModelOptions model, PipelineOptions settings) => kind.Cooldown switch
    {
        CooldownRule.ModelCooldown => settings.CooldownOf(model),
        CooldownRule.ModelOrDefaultCooldown => settings.CooldownOf(model) ?? settings.DefaultCooldown,
        _ => null,
    };

    /// <summary>
    /// A run counts as active until its saga reaches a final state. Before its saga exists (the start message is on its
    /// way) it counts as active for the grace period only.
    /// </summary>
    public static bool IsActive(LaneSnapshot lane, TimeSpan startGracePeriod) =>
        lane.ActiveRunId is not null && (lane.ActiveRunState is { } state
            ? !DeployCodePipelineStateMachine.IsFinal(state)
            : lane.LastStartedAt is { } started && lane.Now - started < startGracePeriod);
}
