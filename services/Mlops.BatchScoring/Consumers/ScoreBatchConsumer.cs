using MassTransit;
using Mlops.BatchScoring.Scoring;
using Mlops.Catalog;
using Mlops.Catalog.Scoring;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Steps;

namespace Mlops.BatchScoring.Consumers;

/// <summary>
/// A scoring job may run for an hour: this consumer only records the job (if whoever queued it did not) and its step lease,
/// in the message's short transaction, and the message is acknowledged; <see cref="ScoreBatchStep"/> scores in a background
/// worker, chunk by chunk. A repeated command while the job runs is ignored; once it ended, it is answered again.
/// </summary>
public sealed class ScoreBatchConsumer(DbSession session, BatchScoringJobs jobs, StepStarter steps, MessageAudit audit) : IConsumer<ScoreBatch>
{
    public async Task Consume(ConsumeContext<ScoreBatch> context)
    {
        var message = context.Message;
        if (message.JobId == Guid.Empty)
            throw new UnrecoverableMessageException("ScoreBatch has no JobId: nobody could follow or resume the job.");
        try
        {
            ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            throw new UnrecoverableMessageException($"ScoreBatch {message.JobId} names no valid model: {exception.Message}", exception);
        }
        if (!BatchScoringJobs.Triggers.Contains(message.Trigger))
            throw new UnrecoverableMessageException(
                $"ScoreBatch {message.JobId} has trigger '{message.Trigger}'; expected one of {string.Join(", ", BatchScoringJobs.Triggers)}.");

        if (await jobs.QueueAsync(session, message, context.CancellationToken))
            await audit.AppendAsync(session, context, message.Principal, "batch_scoring.queued", $"model:{message.ModelName}",
                $"job {message.JobId} ({message.Trigger})");
        await steps.StartAsync(session, context, ScoreBatchStep.Name, message.JobId);
    }
}
