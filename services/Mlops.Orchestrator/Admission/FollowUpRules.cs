using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Admission;

/// <summary>
/// Which triggers recorded on a run still apply once it ended. They were recorded because the run was busy, not because
/// it answered them, so each is judged against what the run did and what holds now:
/// <list type="bullet">
/// <item>a code release applies while its code is the released one and not the code the run trained;</item>
/// <item>a monitoring alert applies while the version it was measured against is still the champion;</item>
/// <item>a manual request and a schedule occurrence always apply: the run took its data and code before they came;</item>
/// <item>new data applies per the model's OnNewData, judged now (RetrainUntilChampion: only while there is no champion).</item>
/// </list>
/// </summary>
public static class FollowUpRules
{
    /// <summary>Why a recorded trigger no longer applies, or null when it does.</summary>
    public static string? ReasonItNoLongerApplies(RecordedTrigger trigger, PipelineModelOptions model, string? runCodeVersion, ReleasedCode? released,
        int? champion)
    {
        if (trigger.Kind == TriggerKind.TrainingCodeReleased.Name)
        {
            if (trigger.CodeVersion == runCodeVersion)
                return $"code {trigger.CodeVersion} is what the run trained";
            return released?.CodeVersion == trigger.CodeVersion ? null : $"code {trigger.CodeVersion} was replaced by code {released?.CodeVersion ?? "(none)"}";
        }

        if (trigger.Kind == TriggerKind.DriftDetected.Name || trigger.Kind == TriggerKind.PerformanceDegraded.Name)
        {
            return trigger.ModelVersion == champion
                ? null
                : $"the {trigger.Kind} alert on version {trigger.ModelVersion} is stale: " +
                  (champion is { } current ? $"version {current} is the champion now" : "there is no champion now");
        }

        if (trigger.Kind == TriggerKind.RawDataLanded.Name)
            return NewDataRules.ReasonToDecline(model, champion);

        return null;
    }
}
