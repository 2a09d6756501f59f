using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class RunFinishedRecorder(PipelineEventLog log) : IConsumer<PipelineRunFinished>
{
    public Task Consume(ConsumeContext<PipelineRunFinished> context)
    {
        log.RunsFinished.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}
