using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// The run saga's endpoint: messages of one run are handled one at a time (partitioned by run id), and an optimistic
/// concurrency conflict (two instances of the orchestrator handling one run) is retried at once on fresh state.
/// The transactional outbox and inbox come from the Mlops messaging defaults.
/// </summary>
public sealed class DeployCodePipelineStateDefinition : SagaDefinition<DeployCodePipelineState>
{
    public const string QueueName = "deploy-code-pipeline";

    private const int Partitions = 16;

    public DeployCodePipelineStateDefinition() => EndpointName = QueueName;

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<DeployCodePipelineState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Handle<ConcurrencyException>();
            retry.Intervals(10, 50, 100, 250, 500);
        });

        var partitioner = endpointConfigurator.CreatePartitioner(Partitions);
        void ByRun<T>(Func<T, Guid> runId)
            where T : class =>
            sagaConfigurator.Message<T>(m => m.UsePartitioner(partitioner, x => runId(x.Message)));

        ByRun<StartPipelineRun>(m => m.CorrelationId);
        ByRun<FeatureTableRefreshed>(m => m.CorrelationId);
        ByRun<DataQualityViolated>(m => m.CorrelationId);
        ByRun<FeatureRefreshFailed>(m => m.CorrelationId);
        ByRun<ModelRegistered>(m => m.CorrelationId);
        ByRun<TrainingFailed>(m => m.CorrelationId);
        ByRun<ComplianceCheckPassed>(m => m.CorrelationId);
        ByRun<ComplianceCheckFailed>(m => m.CorrelationId);
        ByRun<ChallengerEvaluated>(m => m.CorrelationId);
        ByRun<EvaluationFailed>(m => m.CorrelationId);
        ByRun<PromotionApproved>(m => m.CorrelationId);
        ByRun<PromotionDenied>(m => m.CorrelationId);
        ByRun<ModelPromoted>(m => m.CorrelationId);
        ByRun<PromotionRejected>(m => m.CorrelationId);
        ByRun<PipelineStepTimedOut>(m => m.CorrelationId);
        ByRun<CancelPipelineRun>(m => m.CorrelationId);
        ByRun<ExpirePipelineRun>(m => m.CorrelationId);
    }
}
