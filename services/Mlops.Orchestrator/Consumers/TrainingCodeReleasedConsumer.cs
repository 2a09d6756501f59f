using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// New training code is the deploy-code trigger: it becomes the model's released code (what later data-triggered and
/// manual runs train with) and starts a run with it, or is recorded on the run already active. Code that has not completed
/// the pipeline in the environment before this one (Pipeline:Promotion:Chain) is refused and never becomes the released code.
/// </summary>
public sealed class TrainingCodeReleasedConsumer(PipelineAdmission admission, AdmissionStore store, CodePromotionRule promotion, DbSession session)
    : IConsumer<TrainingCodeReleased>
{
    public async Task Consume(ConsumeContext<TrainingCodeReleased> context)
    {
        var release = context.Message;
        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.TrainingCodeReleased,
            MessageId = context.MessageId!.Value,
            ModelName = release.ModelName,
            Environment = release.Environment,
            Principal = release.Principal,
            Detail = $"code {release.CodeVersion} ({release.Trainer}) released by {release.Principal}",
            CodeVersion = release.CodeVersion,
        };

        if (Problem(release) is { } problem)
        {
            await admission.IgnoreAsync(session, trigger, problem, context.CancellationToken);
            return;
        }

        if (await promotion.RefusalAsync(session, release.ModelName, release.CodeVersion, context.CancellationToken) is { } refused)
        {
            await admission.IgnoreAsync(session, trigger, refused, context.CancellationToken);
            return;
        }

        await store.SaveReleasedCodeAsync(session, new ReleasedCode
        {
            ModelName = release.ModelName,
            Environment = release.Environment,
            CodeVersion = release.CodeVersion,
            Trainer = release.Trainer,
            Parameters = release.Parameters,
            Description = release.Description,
            Tags = release.Tags,
            ReleasedBy = release.Principal,
            MessageId = trigger.MessageId,
        }, context.CancellationToken);

        await admission.AdmitAsync(session, context, trigger, context.CancellationToken);
    }

    private static string? Problem(TrainingCodeReleased release)
    {
        if (PipelineAdmission.ModelNameProblem(release.ModelName, release.Environment) is { } problem)
            return problem;
        if (string.IsNullOrWhiteSpace(release.CodeVersion))
            return $"The release of {release.ModelName} names no code version.";
        if (string.IsNullOrWhiteSpace(release.Trainer))
            return $"The release of {release.ModelName} names no trainer.";
        return null;
    }
}
