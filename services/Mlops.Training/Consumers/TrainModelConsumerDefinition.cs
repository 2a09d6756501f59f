using MassTransit;
using Microsoft.Extensions.Options;

namespace Mlops.Training.Consumers;

/// <summary>Training is CPU-bound: the endpoint takes as many commands at once as the service may train.</summary>
public sealed class TrainModelConsumerDefinition : ConsumerDefinition<TrainModelConsumer>
{
    public TrainModelConsumerDefinition(IOptions<TrainingOptions> options)
    {
        ConcurrentMessageLimit = options.Value.MaxConcurrentTrainings;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TrainModelConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Prefetching more than can run would park commands on this instance while another could train them.
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
            rabbit.PrefetchCount = (ushort)ConcurrentMessageLimit!.Value;
    }
}
