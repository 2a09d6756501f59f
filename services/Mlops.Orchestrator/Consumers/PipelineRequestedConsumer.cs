using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>An operator asked for a run: the model's last released code, or the code version and parameters the request names.</summary>
public sealed class PipelineRequestedConsumer(PipelineAdmission admission, DbSession session) : IConsumer<PipelineRequested>
{
    public Task Consume(ConsumeContext<PipelineRequested> context)
    {
        var request = context.Message;
        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.Manual,
            MessageId = context.MessageId!.Value,
            ModelName = request.ModelName,
            Environment = request.Environment,
            Principal = request.Principal,
            Detail = string.IsNullOrWhiteSpace(request.Reason) ? $"requested by {request.Principal}" : $"requested by {request.Principal}: {request.Reason}",
            CodeVersion = request.CodeVersion,
            Parameters = request.Parameters,
        };
        return admission.AdmitAsync(session, context, trigger, context.CancellationToken);
    }
}
