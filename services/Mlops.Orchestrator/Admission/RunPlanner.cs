using Mlops.Contracts;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Admission;

/// <summary>
/// Everything a new run needs, in one StartPipelineRun: the model's configuration, its last released training code (the
/// configured defaults until the first release) and what the trigger itself overrides.
/// </summary>
public static class RunPlanner
{
    public static bool TryPlan(Guid runId, PipelineTrigger trigger, PipelineModelOptions model, ReleasedCode? released, PipelineOptions settings,
        out StartPipelineRun start, out string problem)
    {
        var codeVersion = FirstGiven(trigger.CodeVersion, released?.CodeVersion, model.CodeVersion);
        var trainer = FirstGiven(released?.Trainer, model.Trainer);
        start = new StartPipelineRun
        {
            CorrelationId = runId,
            ModelName = model.Name,
            Environment = trigger.Environment,
            Principal = trigger.Principal,
            Trigger = trigger.Kind.Name,
            TriggerDetail = trigger.Detail,
            FeatureTable = model.FeatureTable,
            SourceTable = model.SourceTable,
            RawBatchId = trigger.RawBatchId,
            CodeVersion = codeVersion ?? "",
            Trainer = trainer ?? "",
            Parameters = Overlay(released?.Parameters ?? model.Parameters, trigger.Parameters),
            Description = FirstGiven(released?.Description, model.Description),
            Tags = new Dictionary<string, string>(released?.Tags ?? model.Tags),
            RequireApproval = settings.RequiresApproval(model),
            ComplianceMode = settings.ComplianceModeOf(model),
            Thresholds = settings.ThresholdsOf(model),
        };

        problem = (codeVersion, trainer) switch
        {
            (null, _) => $"{model.Name} has no training code: no TrainingCodeReleased yet and no CodeVersion configured in Pipeline:Models.",
            (_, null) => $"{model.Name} has no trainer: no TrainingCodeReleased yet and no Trainer configured in Pipeline:Models.",
            _ => "",
        };
        return problem.Length == 0;
    }

    private static string? FirstGiven(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string>? overrides)
    {
        var result = new Dictionary<string, string>(parameters);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
            result[name] = value;
        return result;
    }
}
