using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Admission;

/// <summary>
/// When a run ends, the triggers recorded on it that still apply (<see cref="FollowUpRules"/>) coalesce into exactly one
/// follow-up run, however many there were. Runs in the PipelineRunFinished consumer's transaction, under the lane's lock:
/// the decision is a row of pipeline.triggers (kind follow_up, one per finished run by a unique index), so a repeated
/// PipelineRunFinished, or two orchestrators handling one, decides once. A follow-up is held back by the cooldown as
/// little as the least held back of its triggers; held back, the decision is taken again when the cooldown ends (the
/// same PipelineRunFinished, scheduled back to admission through the outbox), since nothing else would bring it back.
/// </summary>
public sealed partial class FollowUpAdmission(AdmissionStore store, ModelRegistry registry, CodePromotionRule promotion,
    IOptionsMonitor<PipelineOptions> options, ILogger<FollowUpAdmission> logger)
{
    /// <param name="decideAgainAt">
    /// Brings <paramref name="finished"/> back to admission at a UTC instant of this process's clock (an outbox row due then,
    /// in the session's transaction) and returns its scheduling token.
    /// </param>
    public async Task<AdmissionResult?> AfterRunAsync(DbSession session, IPublishEndpoint publisher, PipelineRunFinished finished, Guid messageId,
        Func<DateTime, CancellationToken, Task<Guid>> decideAgainAt, CancellationToken cancellationToken)
    {
        if (options.CurrentValue.FindModel(finished.ModelName) is not { } model)
            return null;

        var runId = finished.CorrelationId;
        var lane = await store.LockLaneAsync(session, model.Name, finished.Environment, cancellationToken);
        if (await store.HasFollowUpAsync(session, runId, cancellationToken))
            return null;

        var recorded = await store.RecordedOnAsync(session, runId, cancellationToken);
        if (recorded.Count == 0)
            return null;

        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.FollowUp,
            MessageId = messageId,
            ModelName = model.Name,
            Environment = finished.Environment,
            Principal = recorded[^1].Principal,
            Detail = "",
            FollowUpOf = runId,
        };
        var ended = $"run {runId}, which ended {finished.Outcome}";

        if (finished.Outcome == "Cancelled")
            return await NoFollowUpAsync(session, trigger,
                $"No follow-up of {ended}: the {recorded.Count} trigger(s) recorded on it were cancelled with it; ask for a run to act on them.",
                cancellationToken);

        if (lane.ActiveRunId != runId)
            return await NoFollowUpAsync(session, trigger,
                $"No follow-up of {ended}: run {lane.ActiveRunId} started after it and covers the {recorded.Count} trigger(s) recorded on it.",
                cancellationToken);

        var champion = await registry.FindAliasAsync(session, model.Name, ModelAliases.Champion, cancellationToken);
        var released = await store.FindReleasedCodeAsync(session, model.Name, finished.Environment, cancellationToken);
        var runCode = await store.CodeVersionOfRunAsync(session, runId, cancellationToken);
        var judged = recorded.Select(r => (Trigger: r, NotApplying: FollowUpRules.ReasonItNoLongerApplies(r, model, runCode, released, champion))).ToList();
        var applying = judged.Where(j => j.NotApplying is null).Select(j => j.Trigger).ToList();
        var notApplying = judged.Where(j => j.NotApplying is not null).Select(j => j.NotApplying!).Distinct().ToList();

        if (applying.Count == 0)
            return await NoFollowUpAsync(session, trigger,
                $"No follow-up of {ended}: none of the {recorded.Count} trigger(s) recorded on it still applies: {string.Join("; ", notApplying)}.",
                cancellationToken);

        trigger = trigger with
        {
            Principal = applying[^1].Principal,
            CodeVersion = applying.LastOrDefault(t => !string.IsNullOrWhiteSpace(t.CodeVersion))?.CodeVersion,
            Detail = $"follow-up of {ended}: {Summary(applying)}" + (notApplying.Count == 0 ? "" : $"; not applying: {string.Join("; ", notApplying)}"),
        };

        var kind = TriggerKind.ForFollowUpOf(applying.Select(t => t.Kind));
        if (LanePolicy.Decide(lane, kind, model, options.CurrentValue) is { CooldownEndsAt: { } cooldownEndsAt } coolingDown)
        {
            // Cooldowns are measured on the database's clock, the schedule on this process's: only the delay carries over.
            var dueAt = cooldownEndsAt + RecheckPolicy.Margin;
            var token = await decideAgainAt(DateTime.UtcNow + (dueAt - lane.Now), cancellationToken);
            var heldBack = new AdmissionResult(TriggerDisposition.Ignored, null,
                $"Follow-up of {ended}, held back: {coolingDown.Reason} It is decided again at {dueAt:yyyy-MM-dd HH:mm:ss}Z.", dueAt, token);
            await store.RecordTriggerAsync(session, trigger with { Detail = heldBack.Detail }, heldBack, cancellationToken);
            LogFollowUpHeldBack(runId, model.Name, finished.Environment, dueAt);
            return heldBack;
        }

        if (!RunPlanner.TryPlan(NewId.NextGuid(), trigger, model, released, options.CurrentValue, out var start, out var problem))
            return await NoFollowUpAsync(session, trigger, $"No follow-up of {ended}: {problem}", cancellationToken);
        if (await promotion.RefusalAsync(session, model.Name, start.CodeVersion, cancellationToken) is { } refused)
            return await NoFollowUpAsync(session, trigger, $"No follow-up of {ended}: {refused}", cancellationToken);

        await store.ClaimLaneAsync(session, model.Name, finished.Environment, start.CorrelationId, cancellationToken);
        await publisher.Publish(start, cancellationToken);
        var result = new AdmissionResult(TriggerDisposition.Started, start.CorrelationId, trigger.Detail);
        await store.RecordTriggerAsync(session, trigger, result, cancellationToken);
        LogFollowUpStarted(start.CorrelationId, runId, model.Name, finished.Environment, applying.Count, recorded.Count);
        return result;
    }

    private async Task<AdmissionResult> NoFollowUpAsync(DbSession session, PipelineTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        var result = new AdmissionResult(TriggerDisposition.Ignored, null, reason);
        await store.RecordTriggerAsync(session, trigger with { Detail = reason }, result, cancellationToken);
        LogNoFollowUp(trigger.FollowUpOf!.Value, trigger.ModelName!, trigger.Environment, reason);
        return result;
    }

    /// <summary>The applying triggers by kind, in the order their kinds first came: one line however big the storm.</summary>
    private static string Summary(IReadOnlyList<RecordedTrigger> applying) =>
        string.Join("; ", applying.GroupBy(t => t.Kind).Select(kind => kind.Count() == 1
            ? $"{kind.Key} ({kind.Single().Detail})"
            : $"{kind.Count()} {kind.Key} (the latest: {kind.Last().Detail})"));

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Started follow-up run {RunId} of {ModelName} in {Environment} after run {FinishedRunId}: {Applying} of the {Recorded} triggers recorded on it still apply")]
    private partial void LogFollowUpStarted(Guid runId, Guid finishedRunId, string modelName, string environment, int applying, int recorded);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The follow-up of run {FinishedRunId} of {ModelName} in {Environment} is held back by the cooldown; it is decided again at {DueAt:O}")]
    private partial void LogFollowUpHeldBack(Guid finishedRunId, string modelName, string environment, DateTime dueAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "No follow-up of run {FinishedRunId} of {ModelName} in {Environment}: {Reason}")]
    private partial void LogNoFollowUp(Guid finishedRunId, string modelName, string environment, string reason);
}
