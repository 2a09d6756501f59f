using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class TriggerRecordedRecorder(PipelineEventLog log) : IConsumer<PipelineTriggerRecorded>
{
    public Task Consume(ConsumeContext<PipelineTriggerRecorded> context)
    {
        log.TriggersRecorded.Enqueue(context.Message);
        return Task.CompletedTask;
    }
}
