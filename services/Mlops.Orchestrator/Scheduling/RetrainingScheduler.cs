using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Scheduling;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Scheduling;

/// <summary>
/// Publishes <see cref="PipelineScheduleDue"/> when a model's Schedule reaches an occurrence; admission turns it into a run.
/// Every orchestrator runs a scheduler, and each occurrence fires once: it is claimed in pipeline.schedules under the
/// row's lock, in the transaction that writes the message's outbox row. The rules, in UTC:
/// <list type="bullet">
/// <item>The latest occurrence at or before now fires if it is later than the one the schedule last fired for.</item>
/// <item>Occurrences missed while no orchestrator ran fold into that one: after a downtime the schedule fires once, at
/// start-up, never once per missed occurrence.</item>
/// <item>A schedule seen for the first time, or changed, starts from its latest past occurrence without firing it: it
/// first fires at its next occurrence.</item>
/// </list>
/// </summary>
public sealed partial class RetrainingScheduler(
    IServiceScopeFactory scopes,
    ScheduleStore store,
    OutboxPublisher outbox,
    IOptionsMonitor<PipelineOptions> options,
    TimeProvider clock,
    ILogger<RetrainingScheduler> logger) : RecurringLook(clock)
{
    public const string Principal = "scheduler";

    protected override Task LookAsync(CancellationToken cancellationToken) => FireDueAsync(cancellationToken);

    protected override void OnLookFailed(Exception exception, TimeSpan pause) => LogLookFailed(exception, pause);

    /// <summary>Looks at every model's schedule once and fires the occurrences that came due; returns what it published.</summary>
    public async Task<IReadOnlyList<PipelineScheduleDue>> FireDueAsync(CancellationToken cancellationToken)
    {
        var fired = new List<PipelineScheduleDue>();
        foreach (var model in options.CurrentValue.Models.Where(m => m.HasSchedule))
        {
            try
            {
                if (await FireDueAsync(model, CronExpression.Parse(model.Schedule!), cancellationToken) is { } due)
                    fired.Add(due);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogModelLookFailed(exception, model.Name);
            }
        }
        return fired;
    }

    private async Task<PipelineScheduleDue?> FireDueAsync(PipelineModelOptions model, CronExpression schedule, CancellationToken cancellationToken)
    {
        var environment = ModelName.Parse(model.Name).Catalog;
        var now = Clock.GetUtcNow();
        var latest = schedule.LatestAtOrBefore(now);

        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);

        PipelineScheduleDue? due = null;
        var state = await store.LockAsync(session, model.Name, environment, schedule.ToString(), latest, cancellationToken);
        if (state is null)
        {
            LogScheduleAdopted(model.Name, schedule.ToString(), schedule.NextAfter(now));
        }
        else if (state.Expression != schedule.ToString())
        {
            await store.RestartAsync(session, model.Name, environment, schedule.ToString(), latest, cancellationToken);
            LogScheduleChanged(model.Name, state.Expression, schedule.ToString(), schedule.NextAfter(now));
        }
        else if (latest > new DateTimeOffset(state.LastOccurrence, TimeSpan.Zero))
        {
            var firstMissed = schedule.NextAfter(new DateTimeOffset(state.LastOccurrence, TimeSpan.Zero));
            due = new PipelineScheduleDue
            {
                ModelName = model.Name,
                Environment = environment,
                Principal = Principal,
                Schedule = schedule.ToString(),
                Occurrence = latest,
                MissedSince = firstMissed < latest ? firstMissed : null,
            };
            await store.FiredAsync(session, model.Name, environment, latest, now, cancellationToken);
            await outbox.For(session).Publish(due, cancellationToken);
        }

        await session.CommitAsync(cancellationToken);

        if (due?.MissedSince is { } missedSince)
            LogFiredLate(model.Name, due.Schedule, due.Occurrence, missedSince);
        else if (due is not null)
            LogFired(model.Name, due.Schedule, due.Occurrence);
        return due;
    }

    /// <summary>Until the next occurrence of any schedule, and at most Pipeline:ScheduleCheckInterval.</summary>
    protected override TimeSpan UntilNextLook()
    {
        var settings = options.CurrentValue;
        var now = Clock.GetUtcNow();
        var pause = settings.ScheduleCheckInterval;
        foreach (var model in settings.Models.Where(m => m.HasSchedule))
        {
            if (CronExpression.TryParse(model.Schedule, out var schedule, out _) && schedule.NextAfter(now) - now is var untilNext && untilNext < pause)
                pause = untilNext;
        }
        return pause;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule '{Schedule}' of {ModelName} came due at {Occurrence:u}")]
    private partial void LogFired(string modelName, string schedule, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Schedule '{Schedule}' of {ModelName} came due at {Occurrence:u}; the occurrences since {MissedSince:u} were missed while no orchestrator ran and fold into it")]
    private partial void LogFiredLate(string modelName, string schedule, DateTimeOffset occurrence, DateTimeOffset missedSince);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule '{Schedule}' of {ModelName} is new: it first fires at {NextOccurrence:u}")]
    private partial void LogScheduleAdopted(string modelName, string schedule, DateTimeOffset nextOccurrence);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Schedule of {ModelName} changed from '{PreviousSchedule}' to '{Schedule}': it first fires at {NextOccurrence:u}")]
    private partial void LogScheduleChanged(string modelName, string previousSchedule, string schedule, DateTimeOffset nextOccurrence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not look at the schedule of {ModelName}; it is looked at again with the others")]
    private partial void LogModelLookFailed(Exception exception, string modelName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not look at the schedules; trying again in {Pause}")]
    private partial void LogLookFailed(Exception exception, TimeSpan pause);
}
