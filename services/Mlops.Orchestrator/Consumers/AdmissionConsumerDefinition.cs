using MassTransit;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// Every trigger consumer shares one queue, pipeline-admission: admission is one concern of the orchestrator, and a
/// name of its own keeps its queues apart from other services' consumers of the same events.
/// </summary>
public sealed class AdmissionConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public const string QueueName = "pipeline-admission";

    public AdmissionConsumerDefinition() => EndpointName = QueueName;
}
