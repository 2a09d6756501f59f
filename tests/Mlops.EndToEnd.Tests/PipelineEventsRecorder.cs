using MassTransit;
using Mlops.Contracts;

namespace Mlops.EndToEnd.Tests;

public sealed class PipelineEventsRecorder(PipelineEvents events)
    : IConsumer<PipelineRunFinished>, IConsumer<ChallengerEvaluated>, IConsumer<DataQualityViolated>, IConsumer<ComplianceCheckFailed>,
        IConsumer<ModelPromoted>, IConsumer<ModelRegistered>
{
    public Task Consume(ConsumeContext<PipelineRunFinished> context) => Record(context.Message);
    public Task Consume(ConsumeContext<ChallengerEvaluated> context) => Record(context.Message);
    public Task Consume(ConsumeContext<DataQualityViolated> context) => Record(context.Message);
    public Task Consume(ConsumeContext<ComplianceCheckFailed> context) => Record(context.Message);
    public Task Consume(ConsumeContext<ModelPromoted> context) => Record(context.Message);
    public Task Consume(ConsumeContext<ModelRegistered> context) => Record(context.Message);

    private Task Record(object message)
    {
        events.Add(message);
        return Task.CompletedTask;
    }
}
