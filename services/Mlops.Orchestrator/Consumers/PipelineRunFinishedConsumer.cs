using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>A run ended: the triggers recorded on it while it was active start one follow-up run, if any still apply.</summary>
public sealed class PipelineRunFinishedConsumer(FollowUpAdmission followUps, DbSession session) : IConsumer<PipelineRunFinished>
{
    public Task Consume(ConsumeContext<PipelineRunFinished> context) =>
        followUps.AfterRunAsync(session, context, context.Message, context.MessageId!.Value, context.CancellationToken);
}
