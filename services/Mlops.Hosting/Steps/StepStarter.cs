using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Steps;

/// <summary>
/// What a long step's consumer does in its short transaction, instead of the work: records the step's lease with the
/// command (committed with the inbox row, then the message is acknowledged) for a worker to take. A command for a step
/// already recorded starts nothing: while it runs the command is ignored, once done it is answered again with the same
/// replies, and a step set aside as failed is opened again.
/// </summary>
public sealed partial class StepStarter(StepLeaseStore store, StepSignal signal, ILogger<StepStarter> logger)
{
    public async Task StartAsync<TCommand>(DbSession session, ConsumeContext<TCommand> context, string step, Guid runId)
        where TCommand : class
    {
        var cancellationToken = context.CancellationToken;
        var command = StepMessages.Serialize(context.Message);
        var traceParent = Activity.Current?.Id;
        if (await store.RecordAsync(session, runId, step, StepMessages.TypeName(typeof(TCommand)), command, traceParent, cancellationToken))
        {
            session.AfterCommit(signal.Notify);
            LogRecorded(step, runId);
            return;
        }

        var (status, replies, attempt, owner) = await store.FindAsync(session, runId, step, cancellationToken);
        switch (status)
        {
            case StepLeaseStore.Done:
                var messages = StepMessages.DeserializeReplies(replies);
                foreach (var (message, type) in messages)
                    await context.Publish(message, type, cancellationToken);
                LogAnsweredAgain(step, runId, messages.Count);
                break;
            case StepLeaseStore.Failed when await store.ReopenAsync(session, runId, step, command, traceParent, cancellationToken):
                session.AfterCommit(signal.Notify);
                LogReopened(step, runId);
                break;
            default:
                LogAlreadyRunning(step, runId, attempt, owner);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recorded step {Step} of run {RunId}: a worker takes it from here")]
    private partial void LogRecorded(string step, Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step} of run {RunId} is already done; answering again with its {ReplyCount} replies")]
    private partial void LogAnsweredAgain(string step, Guid runId, int replyCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Step} of run {RunId} had been set aside as failed; opened again for the new command")]
    private partial void LogReopened(string step, Guid runId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Step {Step} of run {RunId} is already under way (attempt {Attempt}, {Owner}); the repeated command is acknowledged and ignored")]
    private partial void LogAlreadyRunning(string step, Guid runId, int attempt, string? owner);
}
