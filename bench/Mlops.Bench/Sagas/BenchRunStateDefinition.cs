using MassTransit;
using Mlops.Bench.Messages;

namespace Mlops.Bench.Sagas;

/// <summary>As the pipeline saga's: partitioned by run, concurrency conflicts retried at once on fresh state.</summary>
public sealed class BenchRunStateDefinition : SagaDefinition<BenchRunState>
{
    public const int Partitions = 16;

    public const string QueueName = "bench-run";

    public BenchRunStateDefinition() => EndpointName = QueueName;

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<BenchRunState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<ConcurrencyException>();
            retry.Intervals(10, 50, 100, 250, 500);
        });
        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        sagaConfigurator.Message<StartBenchRun>(m => m.UsePartitioner(partitioner, x => x.Message.CorrelationId));
        sagaConfigurator.Message<BenchStepDone>(m => m.UsePartitioner(partitioner, x => x.Message.CorrelationId));
    }
}
