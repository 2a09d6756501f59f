using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Scoring;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Scheduling;

namespace Mlops.BatchScoring.Scheduling;

/// <summary>
/// Queues a batch scoring job when a model's BatchScoring:Schedules entry reaches an occurrence, with the rules of the
/// orchestrator's retraining schedules: each occurrence fires once however many instances run (claimed in scoring.schedules
/// under the row's lock, in the transaction that writes the job row and the ScoreBatch outbox row); occurrences missed
/// while no instance ran fold into one late job; a new or changed schedule first fires at its next occurrence.
/// </summary>
public sealed partial class BatchScheduler(
    IServiceScopeFactory scopes,
    BatchScheduleStore store,
    BatchScoringJobs jobs,
    MessageAudit audit,
    OutboxPublisher outbox,
    IOptionsMonitor<BatchScoringOptions> options,
    TimeProvider clock,
    ILogger<BatchScheduler> logger) : RecurringLook(clock)
{
    public const string Principal = "batch-scheduler";

    protected override Task LookAsync(CancellationToken cancellationToken) => FireDueAsync(cancellationToken);

    protected override void OnLookFailed(Exception exception, TimeSpan pause) => LogLookFailed(exception, pause);

    /// <summary>Looks at every schedule once and queues the jobs that came due; returns them.</summary>
    public async Task<IReadOnlyList<ScoreBatch>> FireDueAsync(CancellationToken cancellationToken)
    {
        var fired = new List<ScoreBatch>();
        foreach (var entry in options.CurrentValue.Schedules)
        {
            try
            {
                if (await FireDueAsync(ModelName.Parse(entry.Model), BatchSchedule.Parse(entry.Schedule), cancellationToken) is { } job)
                    fired.Add(job);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogModelLookFailed(exception, entry.Model);
            }
        }
        return fired;
    }

    private async Task<ScoreBatch?> FireDueAsync(ModelName model, BatchSchedule schedule, CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);

        ScoreBatch? job = null;
        if (await store.LockAsync(session, model.FullName, schedule.Text, now, cancellationToken) is not { } last)
            LogScheduleAdopted(model.FullName, schedule.Text, schedule.NextAfter(now));
        else if (schedule.LatestDue(last, now) is { } occurrence)
        {
            var jobId = Guid.NewGuid();
            // The champion and the latest feature version are resolved when the job starts; a model that cannot be scored then
            // ends the job failed with the reason (BatchScoringFailed), so a bad schedule is visible rather than silent.
            job = new ScoreBatch
            {
                JobId = jobId, CorrelationId = jobId, ModelName = model.FullName, Environment = model.Catalog, Principal = Principal,
                Trigger = BatchScoringJobs.Schedule,
            };
            await store.FiredAsync(session, model.FullName, occurrence, cancellationToken);
            await jobs.QueueAsync(session, job, cancellationToken);
            await outbox.For(session).Publish(job, cancellationToken);
            await audit.AppendAsync(session, jobId, Principal, "batch_scoring.queued", $"model:{model.FullName}",
                $"job {jobId} (schedule '{schedule.Text}' at {occurrence:u})", cancellationToken: cancellationToken);
            LogFired(model.FullName, schedule.Text, occurrence, jobId);
        }

        await session.CommitAsync(cancellationToken);
        return job;
    }

    protected override TimeSpan UntilNextLook()
    {
        var settings = options.CurrentValue;
        var now = Clock.GetUtcNow();
        var pause = settings.ScheduleCheckInterval;
        foreach (var entry in settings.Schedules)
        {
            if (BatchSchedule.TryParse(entry.Schedule, out var schedule, out _) && schedule.NextAfter(now) is { } next && next - now < pause)
                pause = next - now;
        }
        return pause < TimeSpan.Zero ? TimeSpan.Zero : pause;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch schedule '{Schedule}' of {ModelName} came due at {Occurrence:u}: job {JobId} queued")]
    private partial void LogFired(string modelName, string schedule, DateTimeOffset occurrence, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch schedule '{Schedule}' of {ModelName} is new or changed: it first fires at {NextOccurrence:u}")]
    private partial void LogScheduleAdopted(string modelName, string schedule, DateTimeOffset? nextOccurrence);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not look at the batch schedule of {ModelName}; it is looked at again with the others")]
    private partial void LogModelLookFailed(Exception exception, string modelName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not look at the batch schedules; trying again in {Pause}")]
    private partial void LogLookFailed(Exception exception, TimeSpan pause);
}
