namespace Mlops.Orchestrator.Configuration;

/// <summary>What a batch landing in a model's source table does (Pipeline:Models:N:OnNewData).</summary>
public enum NewDataPolicy
{
    /// <summary>Batches just land; runs come from the other triggers.</summary>
    Ignore,

    /// <summary>Every batch starts a run that computes features from it (within the model's Cooldown, if it sets one).</summary>
    Retrain,

    /// <summary>
    /// Batches start runs only while the model has no champion, so the first batch bootstraps the first model. Afterwards
    /// batches just land and retraining is left to drift, degraded performance, the schedule, code releases and manual
    /// requests, whose runs compute features from the latest batch.
    /// </summary>
    RetrainUntilChampion,
}
