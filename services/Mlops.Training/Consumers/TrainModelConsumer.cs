using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Steps;

namespace Mlops.Training.Consumers;

/// <summary>
/// Training takes minutes to an hour: longer than RabbitMQ lets a message stay unacknowledged (consumer_timeout) and far
/// longer than a transaction should stay open. So this consumer only records the run's training step as a lease, in the
/// message's short transaction, and the message is acknowledged; <see cref="TrainModelStep"/> trains in a background worker
/// and answers through the outbox. A repeated command while the step runs is ignored; once it is done, answered again.
/// </summary>
public sealed class TrainModelConsumer(DbSession session, StepStarter steps) : IConsumer<TrainModel>
{
    public const string ModelArtifact = "model.json";

    public Task Consume(ConsumeContext<TrainModel> context)
    {
        if (context.Message.CorrelationId == Guid.Empty)
            throw new UnrecoverableMessageException("TrainModel has no CorrelationId: it belongs to no pipeline run, so no one could hear its answer.");

        return steps.StartAsync(session, context, TrainModelStep.Name, context.Message.CorrelationId);
    }
}
