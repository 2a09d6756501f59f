using Mlops.Catalog.Features;
using Mlops.Catalog.Registry;

namespace Mlops.Catalog.Scoring;

/// <summary>
/// Resolves what a batch scoring job asks for against the registry and the feature store, refusing with the field at fault:
/// the API checks a request with it before it queues the job, and the worker again when the job starts (the registry may
/// have moved meanwhile), so a job queued by a schedule or a pipeline is refused with the same words.
/// </summary>
public sealed class BatchScoringPlanner(ModelRegistry registry, FeatureStore features)
{
    /// <summary>The most keys one job may list; more belong in a feature version of their own.</summary>
    public const int MaxEntityKeys = 100_000;

    public async Task<BatchScoringPlan> PlanAsync(string modelName, int? version, string? featureTable, int? featureVersion, IReadOnlyCollection<long>? entityKeys,
        CancellationToken cancellationToken)
    {
        if (!ModelName.TryParse(modelName, out var name, out var error))
            throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "model", error);
        if (await registry.FindModelAsync(name!.FullName, cancellationToken) is null)
            throw new BatchScoringRefusedException(BatchScoringRefusal.NotFound, "model", $"There is no model {name}.");

        ModelVersion scored;
        if (version is { } asked)
        {
            if (asked <= 0)
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "version", "version must be a positive version number.");
            scored = await registry.FindVersionAsync(name.FullName, asked, cancellationToken)
                ?? throw new BatchScoringRefusedException(BatchScoringRefusal.NotFound, "version", $"Model {name} has no version {asked}.");
            if (scored.Status != "ready")
                throw new BatchScoringRefusedException(BatchScoringRefusal.Conflict, "version",
                    $"Version {asked} of {name} is {scored.Status}: restore it before scoring with it.");
        }
        else
        {
            var champion = await registry.FindAliasAsync(name.FullName, ModelAliases.Champion, cancellationToken)
                ?? throw new BatchScoringRefusedException(BatchScoringRefusal.Conflict, "model",
                    $"Model {name} has no champion to score with: name a version, or promote one first.");
            scored = await registry.FindVersionAsync(name.FullName, champion, cancellationToken)
                ?? throw new BatchScoringRefusedException(BatchScoringRefusal.NotFound, "model", $"The champion of {name}, version {champion}, is not registered.");
        }

        if (featureTable is not null && featureTable != scored.FeatureTable)
            throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "featureTable",
                $"Version {scored.Version} of {name} was trained on feature table {scored.FeatureTable}, not {featureTable}: it scores that table's versions only.");

        FeatureTableVersion rows;
        if (featureVersion is { } pinned)
        {
            if (pinned <= 0)
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "featureVersion", "featureVersion must be a positive version number.");
            rows = await features.FindVersionAsync(scored.FeatureTable, pinned, cancellationToken)
                ?? throw new BatchScoringRefusedException(BatchScoringRefusal.NotFound, "featureVersion",
                    $"Feature table {scored.FeatureTable} has no version {pinned}.");
            if (rows.Environment is { } computedIn && computedIn != name.Catalog)
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "featureVersion",
                    $"Version {pinned} of feature table {scored.FeatureTable} was computed in {computedIn}, not in {name.Catalog}, where {name} lives.");
        }
        else
        {
            rows = await features.LatestVersionAsync(scored.FeatureTable, name.Catalog, cancellationToken)
                ?? throw new BatchScoringRefusedException(BatchScoringRefusal.Conflict, "featureVersion",
                    $"Feature table {scored.FeatureTable} has no version in {name.Catalog} yet.");
        }

        long[]? keys = null;
        if (entityKeys is not null)
        {
            if (entityKeys.Count == 0)
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "entityKeys", "entityKeys is empty: leave it out to score every entity.");
            if (entityKeys.Count > MaxEntityKeys)
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "entityKeys",
                    $"entityKeys holds {entityKeys.Count} keys, more than {MaxEntityKeys}: score the feature version instead.");
            keys = [.. entityKeys.Distinct().Order()];
        }

        return new BatchScoringPlan(name, scored, rows.TableName, rows.Version, keys);
    }
}
