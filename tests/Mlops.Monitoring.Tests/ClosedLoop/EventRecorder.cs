using MassTransit;
using Mlops.Contracts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>Stands in for the orchestrator and the operators: hears every alert monitoring raises.</summary>
public sealed class EventRecorder(RecordedEvents events)
    : IConsumer<DriftDetected>, IConsumer<DataQualityViolated>, IConsumer<ModelPerformanceDegraded>, IConsumer<LatencyBreached>
{
    public Task Consume(ConsumeContext<DriftDetected> context) => Record(context.Message);

    public Task Consume(ConsumeContext<DataQualityViolated> context) => Record(context.Message);

    public Task Consume(ConsumeContext<ModelPerformanceDegraded> context) => Record(context.Message);

    public Task Consume(ConsumeContext<LatencyBreached> context) => Record(context.Message);

    private Task Record(object message)
    {
        events.Add(message);
        return Task.CompletedTask;
    }
}
