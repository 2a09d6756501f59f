using System.Globalization;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;

namespace Mlops.Promotion;

/// <summary>
/// Builds the holdout a challenger is judged on and scores model versions on it. The holdout is the part of the
/// challenger's own feature version that its training split never saw; champion and challenger are scored on exactly
/// those rows, so their numbers compare.
/// </summary>
public sealed class HoldoutEvaluator(FeatureStore features, TrackingStore tracking, ArtifactStore artifacts)
{
    public const string SeedParameter = "seed";
    public const int DefaultSeed = 42;

    public async Task<Holdout> BuildAsync(ModelVersion challenger, CancellationToken cancellationToken)
    {
        var definition = await features.FindTableAsync(challenger.FeatureTable, cancellationToken)
            ?? throw new EvaluationException($"Feature table {challenger.FeatureTable} of v{challenger.Version} is not in the feature store.");
        if (definition.LabelColumn is null)
            throw new EvaluationException($"Feature table {definition.Name} has no label column to evaluate against.");
        if (await features.FindVersionAsync(definition.Name, challenger.FeatureVersion, cancellationToken) is null)
            throw new EvaluationException($"Feature table {definition.Name} has no version {challenger.FeatureVersion}, which v{challenger.Version} was trained on.");

        var seed = await SeedOfAsync(challenger, cancellationToken);
        // The rows Training split: labels joined to features as of the label's time when they are stored apart.
        var frame = await features.ReadTrainingSetAsync(definition, challenger.FeatureVersion, cancellationToken);
        var labels = frame.Labels!;
        var rows = new DatasetSplit(seed).Rows(frame.EntityIds, Partition.Holdout).Where(row => !double.IsNaN(labels[row])).ToArray();
        if (rows.Length == 0)
            throw new EvaluationException($"Feature table {definition.Name} version {challenger.FeatureVersion} has no labelled holdout rows under seed {seed}.");

        return new Holdout(definition.Name, challenger.FeatureVersion, seed, frame.Rows(rows));
    }

    /// <summary>The version's <paramref name="metric"/> on the holdout, from its verified artifact.</summary>
    public async Task<double> ScoreAsync(ModelVersion version, Holdout holdout, string metric, CancellationToken cancellationToken)
    {
        var model = await LoadAsync(version, cancellationToken);
        double[] scores;
        try
        {
            scores = model.Score(holdout.Rows);
        }
        catch (InvalidModelException exception)
        {
            throw new EvaluationException($"v{version.Version} cannot score {holdout.FeatureTable} version {holdout.FeatureVersion}: {exception.Message}", exception);
        }
        finally
        {
            // An ONNX session holds native memory: released now rather than whenever the finalizer runs.
            (model as IDisposable)?.Dispose();
        }

        var metrics = ClassificationMetrics.Compute(holdout.Rows.Labels!, scores);
        if (metrics.Count != holdout.RowCount)
            throw new EvaluationException($"v{version.Version} gave no probability for {holdout.RowCount - metrics.Count} of the {holdout.RowCount} holdout rows.");
        var value = metrics.Get(metric);
        if (double.IsNaN(value))
            throw new EvaluationException($"{metric} of v{version.Version} is undefined on the {holdout.RowCount} holdout rows (they hold one class only).");
        return value;
    }

    private async Task<int> SeedOfAsync(ModelVersion challenger, CancellationToken cancellationToken)
    {
        // Without its run the split the challenger trained on is unknown, and a guess could score it on its own training rows.
        var run = await tracking.FindAsync(challenger.TrainingRunId, cancellationToken)
            ?? throw new EvaluationException($"Training run {challenger.TrainingRunId} of v{challenger.Version} is not in tracking; its holdout is unknown.");
        if (!run.Parameters.TryGetValue(SeedParameter, out var text))
            return DefaultSeed;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new EvaluationException($"Training run {run.RunId} has seed '{text}', which is not an integer.");
    }

    private async Task<IScoringModel> LoadAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        try
        {
            return ModelFormats.Load(version.ModelFormat, await artifacts.GetAsync(version.ArtifactSha256, cancellationToken));
        }
        catch (ArtifactIntegrityException exception)
        {
            throw new EvaluationException($"v{version.Version} cannot be evaluated: {exception.Message}", exception);
        }
        catch (KeyNotFoundException exception)
        {
            throw new EvaluationException($"v{version.Version} cannot be evaluated: {exception.Message}", exception);
        }
        catch (InvalidModelException exception)
        {
            throw new EvaluationException($"v{version.Version}'s model cannot be loaded: {exception.Message}", exception);
        }
    }
}
