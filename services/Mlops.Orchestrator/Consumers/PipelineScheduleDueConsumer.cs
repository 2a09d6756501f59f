using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>A model's schedule came due (<see cref="Scheduling.RetrainingScheduler"/>): retrain on the latest batch, within the model's Cooldown.</summary>
public sealed class PipelineScheduleDueConsumer(PipelineAdmission admission, DbSession session) : IConsumer<PipelineScheduleDue>
{
    public Task Consume(ConsumeContext<PipelineScheduleDue> context)
    {
        var due = context.Message;
        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.Schedule,
            MessageId = context.MessageId!.Value,
            ModelName = due.ModelName,
            Environment = due.Environment,
            Principal = due.Principal,
            Detail = TriggerDetails.Of(due),
        };
        return admission.AdmitAsync(session, context, trigger, context.CancellationToken);
    }
}
