using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Admission;

/// <summary>
/// Turns triggers into runs, one active run per model and environment. Runs inside the trigger's consumer transaction:
/// the lane lock, the trigger record and the published StartPipelineRun or PipelineTriggerRecorded (outbox rows), or
/// the re-check of an alert held back by the cooldown, commit together, so a trigger is never half admitted.
/// </summary>
public sealed partial class PipelineAdmission(AdmissionStore store, ModelRegistry registry, CodePromotionRule promotion,
    IOptionsMonitor<PipelineOptions> options, MessageAudit audit, ILogger<PipelineAdmission> logger)
{
    public async Task<AdmissionResult> AdmitAsync(DbSession session, IPublishEndpoint publisher, PipelineTrigger trigger, CancellationToken cancellationToken)
    {
        using var activity = MlopsTelemetry.Source.StartActivity("admit trigger");
        activity?.SetTag(MlopsTelemetry.ModelTag, trigger.ModelName);
        activity?.SetTag(MlopsTelemetry.EnvironmentTag, trigger.Environment);
        activity?.SetTag("mlops.trigger", trigger.Kind.Name);

        if (trigger.Alert is { IsRecheck: true })
            trigger = trigger with { Detail = TriggerDetails.OfRecheck(trigger.Detail) };

        var result = await DecideAsync(session, publisher, trigger, cancellationToken);
        await store.RecordTriggerAsync(session, trigger, result, cancellationToken);
        await AuditAsync(session, trigger, result, cancellationToken);

        activity?.SetTag(MlopsTelemetry.RunIdTag, result.RunId?.ToString());
        activity?.SetTag("mlops.trigger.disposition", result.Disposition.ToString());
        activity?.SetTag("mlops.trigger.recheck_at", result.RecheckAt?.ToString("O"));
        return result;
    }

    /// <summary>Records a trigger that cannot be used as it is (it breaks no contract, but names nothing admission can run).</summary>
    public Task<AdmissionResult> IgnoreAsync(DbSession session, PipelineTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        LogUnusable(trigger.Kind.Name, trigger.ModelName, trigger.Environment, reason);
        return RecordIgnoredAsync(session, trigger, reason, cancellationToken);
    }

    /// <summary>Records a trigger the model's own policy declines, e.g. new data once it has a champion: normal, not a warning.</summary>
    public Task<AdmissionResult> DeclineAsync(DbSession session, PipelineTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        LogIgnored(trigger.Kind.Name, trigger.ModelName ?? "", trigger.Environment, reason);
        return RecordIgnoredAsync(session, trigger, reason, cancellationToken);
    }

    /// <summary>Records a trigger no model is interested in, e.g. data no configured model retrains on: normal, not a warning.</summary>
    public Task<AdmissionResult> RecordUnclaimedAsync(DbSession session, PipelineTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        LogUnclaimed(trigger.Kind.Name, trigger.Environment, reason);
        return RecordIgnoredAsync(session, trigger, reason, cancellationToken);
    }

    private async Task<AdmissionResult> RecordIgnoredAsync(DbSession session, PipelineTrigger trigger, string reason, CancellationToken cancellationToken)
    {
        var result = new AdmissionResult(TriggerDisposition.Ignored, null, reason);
        await store.RecordTriggerAsync(session, trigger, result, cancellationToken);
        await AuditAsync(session, trigger, result, cancellationToken);
        return result;
    }

    /// <summary>Every trigger leaves one entry, in the transaction that records it behind the inbox: what it asked for and what became of it.</summary>
    private Task AuditAsync(DbSession session, PipelineTrigger trigger, AdmissionResult result, CancellationToken cancellationToken) =>
        audit.AppendAsync(session, trigger.MessageId, trigger.Principal, "pipeline.triggered",
            result.RunId is { } runId ? "run:" + runId : "model:" + (trigger.ModelName ?? trigger.Environment),
            $"{trigger.Kind.Name}: {result.Disposition}: {result.Detail}", cancellationToken: cancellationToken);

    private async Task<AdmissionResult> DecideAsync(DbSession session, IPublishEndpoint publisher, PipelineTrigger trigger, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;

        if (ModelNameProblem(trigger.ModelName, trigger.Environment) is { } nameProblem)
            return Unusable(trigger, nameProblem);

        var model = settings.FindModel(trigger.ModelName!);
        if (model is null)
            return Unusable(trigger, $"{trigger.ModelName} has no pipeline configuration (Pipeline:Models).");

        var lane = await store.LockLaneAsync(session, model.Name, trigger.Environment, cancellationToken);
        if (trigger.Alert is { } alert)
        {
            if (alert.RecheckToken is { } token && token == lane.RecheckToken)
            {
                // The lane's pending re-check came back: whatever becomes of it now, it is pending no more.
                await store.ClearRecheckAsync(session, model.Name, trigger.Environment, cancellationToken);
                lane = lane with { RecheckAt = null, RecheckToken = null };
            }

            var champion = await registry.FindAliasAsync(session, model.Name, ModelAliases.Champion, cancellationToken);
            if (alert.StaleReason(model.Name, champion) is { } stale)
            {
                LogIgnored(trigger.Kind.Name, model.Name, trigger.Environment, stale);
                return new AdmissionResult(TriggerDisposition.Ignored, null, stale);
            }
        }

        var decision = LanePolicy.Decide(lane, trigger.Kind, model, settings);
        switch (decision.Disposition)
        {
            case TriggerDisposition.Recorded:
                return await RecordOnActiveRunAsync(publisher, trigger, model, decision.ActiveRunId!.Value, cancellationToken);

            case TriggerDisposition.Ignored when trigger.Alert is { } heldBack && decision.CooldownEndsAt is { } cooldownEndsAt:
                return await DeferAsync(session, trigger, heldBack, lane, cooldownEndsAt, decision.Reason!, settings, cancellationToken);

            case TriggerDisposition.Ignored:
                LogIgnored(trigger.Kind.Name, model.Name, trigger.Environment, decision.Reason!);
                return new AdmissionResult(TriggerDisposition.Ignored, null, decision.Reason!);
        }

        if (lane.ActiveRunId is { } lostRunId && lane.ActiveRunState is null)
            LogRunNeverStarted(model.Name, trigger.Environment, lostRunId, settings.StartGracePeriod);

        var released = await store.FindReleasedCodeAsync(session, model.Name, trigger.Environment, cancellationToken);
        if (!RunPlanner.TryPlan(NewId.NextGuid(), trigger, model, released, settings, out var start, out var problem))
            return Unusable(trigger, problem);
        if (await promotion.RefusalAsync(session, model.Name, start.CodeVersion, cancellationToken) is { } refused)
            return Unusable(trigger, refused);

        await store.ClaimLaneAsync(session, model.Name, trigger.Environment, start.CorrelationId, cancellationToken);
        await publisher.Publish(start, cancellationToken);
        LogStarted(start.CorrelationId, trigger.Kind.Name, model.Name, trigger.Environment, start.CodeVersion);
        return new AdmissionResult(TriggerDisposition.Started, start.CorrelationId, trigger.Detail);
    }

    /// <summary>
    /// Holds back an alert the cooldown ignores, without losing it: monitoring does not repeat it while the breach lasts,
    /// so it comes back for a re-check when the cooldown ends, unless the lane's pending re-check already does.
    /// </summary>
    private async Task<AdmissionResult> DeferAsync(DbSession session, PipelineTrigger trigger, MonitoringAlert alert, LaneSnapshot lane,
        DateTime cooldownEndsAt, string cooling, PipelineOptions settings, CancellationToken cancellationToken)
    {
        var model = trigger.ModelName!;
        if (RecheckPolicy.DueAt(lane, cooldownEndsAt, settings.StartGracePeriod) is not { } dueAt)
        {
            var covered = $"{cooling} The re-check already scheduled for {lane.RecheckAt:yyyy-MM-dd HH:mm:ss}Z covers this alert.";
            LogIgnored(trigger.Kind.Name, model, trigger.Environment, covered);
            return new AdmissionResult(TriggerDisposition.Ignored, null, covered);
        }

        // Cooldowns are measured on the database's clock, the schedule on this process's. Only the delay carries over (the
        // outbox row is due at the database's now() plus it), so the two clocks need not agree.
        var token = await alert.ScheduleRecheck(DateTime.UtcNow + (dueAt - lane.Now), cancellationToken);
        await store.ScheduleRecheckAsync(session, model, trigger.Environment, dueAt, token, cancellationToken);

        LogRecheckScheduled(trigger.Kind.Name, model, trigger.Environment, dueAt);
        return new AdmissionResult(TriggerDisposition.Ignored, null, $"{cooling} The alert comes back for a re-check at {dueAt:yyyy-MM-dd HH:mm:ss}Z.",
            dueAt, token);
    }

    private async Task<AdmissionResult> RecordOnActiveRunAsync(IPublishEndpoint publisher, PipelineTrigger trigger, PipelineModelOptions model,
        Guid activeRunId, CancellationToken cancellationToken)
    {
        await publisher.Publish(new PipelineTriggerRecorded
        {
            CorrelationId = activeRunId,
            ModelName = model.Name,
            Environment = trigger.Environment,
            Principal = trigger.Principal,
            Trigger = trigger.Kind.Name,
            TriggerDetail = trigger.Detail,
        }, cancellationToken);
        LogRecorded(trigger.Kind.Name, model.Name, trigger.Environment, activeRunId);
        return new AdmissionResult(TriggerDisposition.Recorded, activeRunId, trigger.Detail);
    }

    private AdmissionResult Unusable(PipelineTrigger trigger, string reason)
    {
        LogUnusable(trigger.Kind.Name, trigger.ModelName, trigger.Environment, reason);
        return new AdmissionResult(TriggerDisposition.Ignored, null, reason);
    }

    /// <summary>Why a trigger's model name cannot be admitted, or null when it can.</summary>
    public static string? ModelNameProblem(string? modelName, string environment)
    {
        if (string.IsNullOrWhiteSpace(modelName))
            return "The trigger names no model.";
        if (!ModelName.TryParse(modelName, out var name, out var error))
            return error;
        return name!.Catalog == environment ? null : $"Model {name} lives in catalog '{name.Catalog}', not in environment '{environment}'.";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started pipeline run {RunId} of {ModelName} in {Environment} on {Trigger} with code {CodeVersion}")]
    private partial void LogStarted(Guid runId, string trigger, string modelName, string environment, string codeVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recorded {Trigger} for {ModelName} in {Environment} on its active run {RunId}")]
    private partial void LogRecorded(string trigger, string modelName, string environment, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored {Trigger} for {ModelName} in {Environment}: {Reason}")]
    private partial void LogIgnored(string trigger, string modelName, string environment, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Ignored {Trigger} for {ModelName} in {Environment} while it cools down; it comes back for a re-check at {RecheckAt:O}")]
    private partial void LogRecheckScheduled(string trigger, string modelName, string environment, DateTime recheckAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored {Trigger} in {Environment}: {Reason}")]
    private partial void LogUnclaimed(string trigger, string environment, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored {Trigger} for {ModelName} in {Environment}: {Reason}")]
    private partial void LogUnusable(string trigger, string? modelName, string environment, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Run {RunId} of {ModelName} in {Environment} never started within {GracePeriod}; its lane is free again")]
    private partial void LogRunNeverStarted(string modelName, string environment, Guid runId, TimeSpan gracePeriod);
}
