using Mlops.Catalog;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Admission;

/// <summary>What a landed batch means to a model, by its OnNewData policy.</summary>
public static class NewDataRules
{
    /// <summary>Whether batches of <paramref name="sourceTable"/> in <paramref name="environment"/> can start runs of the model at all.</summary>
    public static bool Concerns(PipelineModelOptions model, string sourceTable, string environment) =>
        model.OnNewData != NewDataPolicy.Ignore
        && model.SourceTable == sourceTable
        && ModelName.TryParse(model.Name, out var name, out _) && name!.Catalog == environment;

    /// <summary>Whether the policy needs the model's champion to decide.</summary>
    public static bool NeedsChampion(PipelineModelOptions model) => model.OnNewData == NewDataPolicy.RetrainUntilChampion;

    /// <summary>Why a batch starts no run of the model, or null when it may start one (the lane's rules still apply).</summary>
    public static string? ReasonToDecline(PipelineModelOptions model, int? championVersion) => model.OnNewData switch
    {
        NewDataPolicy.Ignore => $"{model.Name} does not retrain on new data (OnNewData is Ignore).",
        NewDataPolicy.RetrainUntilChampion when championVersion is { } champion =>
            $"{model.Name} has a champion (version {champion}) and OnNewData is RetrainUntilChampion: new data only lands; " +
            "drift, degraded performance, the schedule, code releases and manual requests retrain it.",
        _ => null,
    };
}
