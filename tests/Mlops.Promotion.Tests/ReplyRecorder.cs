using MassTransit;
using Mlops.Contracts;

namespace Mlops.Promotion.Tests;

/// <summary>Stands in for the orchestrator and the operator's CLI: keeps every promotion reply for the test to look at.</summary>
public sealed class ReplyRecorder(Replies replies)
    : IConsumer<ChallengerEvaluated>, IConsumer<EvaluationFailed>, IConsumer<PromotionRejected>, IConsumer<ModelPromoted>, IConsumer<ModelRolledBack>,
        IConsumer<RollbackFailed>
{
    public Task Consume(ConsumeContext<ChallengerEvaluated> context) => Record(context.Message);

    public Task Consume(ConsumeContext<EvaluationFailed> context) => Record(context.Message);

    public Task Consume(ConsumeContext<PromotionRejected> context) => Record(context.Message);

    public Task Consume(ConsumeContext<ModelPromoted> context) => Record(context.Message);

    public Task Consume(ConsumeContext<ModelRolledBack> context) => Record(context.Message);

    public Task Consume(ConsumeContext<RollbackFailed> context) => Record(context.Message);

    private Task Record(object message)
    {
        replies.Add(message);
        return Task.CompletedTask;
    }
}
