using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// Monitoring confirmed drift: the closed loop's trigger. The run computes features from the latest batch; a storm of
/// alerts starts one run and the rest are recorded on it, or held back while the model cools down (one re-check comes
/// back when it ends). Drift measured against a version that is no longer the champion is stale.
/// </summary>
public sealed class DriftDetectedConsumer(PipelineAdmission admission, DbSession session) : IConsumer<DriftDetected>
{
    public Task Consume(ConsumeContext<DriftDetected> context)
    {
        var drift = context.Message;
        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.DriftDetected,
            MessageId = context.MessageId!.Value,
            ModelName = drift.ModelName,
            Environment = drift.Environment,
            Principal = drift.Principal,
            Detail = TriggerDetails.Of(drift),
            Alert = MonitoringAlert.Of(context, drift.ModelVersion),
        };
        return admission.AdmitAsync(session, context, trigger, context.CancellationToken);
    }
}
