using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// A run ended: the triggers recorded on it while it was active start one follow-up run, if any still apply; the same
/// message comes back here when the cooldown held the follow-up back.
/// </summary>
public sealed class PipelineRunFinishedConsumer(FollowUpAdmission followUps, DbSession session) : IConsumer<PipelineRunFinished>
{
    public Task Consume(ConsumeContext<PipelineRunFinished> context) =>
        followUps.AfterRunAsync(session, context, context.Message, context.MessageId!.Value,
            // Sent back to admission's own queue rather than published: other subscribers must see a run finish once.
            async (instant, cancellationToken) =>
                (await context.ScheduleSend(context.ReceiveContext.InputAddress, instant, context.Message, cancellationToken)).TokenId,
            context.CancellationToken);
}
