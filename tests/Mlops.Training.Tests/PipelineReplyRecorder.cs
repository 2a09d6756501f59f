using MassTransit;
using Mlops.Contracts;

namespace Mlops.Training.Tests;

/// <summary>Stands where the saga would: hears every answer to TrainModel, in a host of its own.</summary>
public sealed class PipelineReplyRecorder(RecordedReplies replies) : IConsumer<ModelTrained>, IConsumer<ModelRegistered>, IConsumer<TrainingFailed>
{
    public Task Consume(ConsumeContext<ModelTrained> context) => Record(context.Message.CorrelationId, context.Message);

    public Task Consume(ConsumeContext<ModelRegistered> context) => Record(context.Message.CorrelationId, context.Message);

    public Task Consume(ConsumeContext<TrainingFailed> context) => Record(context.Message.CorrelationId, context.Message);

    private Task Record(Guid runId, object message)
    {
        replies.Add(runId, message);
        return Task.CompletedTask;
    }
}
