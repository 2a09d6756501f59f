using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// Labels showed the model doing worse than at training time: retrain on the latest batch, or when the cooldown ends,
/// unless the version measured is no longer the champion.
/// </summary>
public sealed class ModelPerformanceDegradedConsumer(PipelineAdmission admission, DbSession session) : IConsumer<ModelPerformanceDegraded>
{
    public Task Consume(ConsumeContext<ModelPerformanceDegraded> context)
    {
        var degraded = context.Message;
        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.PerformanceDegraded,
            MessageId = context.MessageId!.Value,
            ModelName = degraded.ModelName,
            Environment = degraded.Environment,
            Principal = degraded.Principal,
            Detail = TriggerDetails.Of(degraded),
            Alert = MonitoringAlert.Of(context, degraded.ModelVersion),
        };
        return admission.AdmitAsync(session, context, trigger, context.CancellationToken);
    }
}
