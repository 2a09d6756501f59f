using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// Monitoring confirmed drift: the closed loop's trigger. The run computes features from the latest batch; a storm of
/// alerts starts one run and the rest are recorded on it, or ignored while the model cools down.
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
        };
        return admission.AdmitAsync(session, context, trigger, context.CancellationToken);
    }
}
