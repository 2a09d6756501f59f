using Mlops.Catalog.Features;

namespace Mlops.Training.Trainers;

/// <summary>
/// What a trainer learns from: the training split, the input features to use, and a 0/1 label for every row. The holdout
/// never reaches a trainer, so nothing it fits — preprocessing included — can peek at it. The validation split is offered
/// (an external trainer may stop early on it; the built-in one ignores it); Training judges every model on both anyway.
/// </summary>
public sealed record TrainingData
{
    public TrainingData(FeatureFrame rows, IReadOnlyList<FeatureColumn> features, double[] labels)
    {
        if (labels.Length != rows.RowCount)
            throw new ArgumentException($"{labels.Length} labels for {rows.RowCount} rows.", nameof(labels));
        if (labels.Any(l => l is not (0 or 1)))
            throw new ArgumentException("Every training label must be 0 or 1.", nameof(labels));
        if (features.Count == 0)
            throw new ArgumentException("Training needs at least one input feature.", nameof(features));
        Rows = rows;
        Features = features;
        Labels = labels;
    }

    public FeatureFrame Rows { get; }
    public IReadOnlyList<FeatureColumn> Features { get; }
    public double[] Labels { get; }

    /// <summary>The labelled validation rows, or null when the caller gives none.</summary>
    public FeatureFrame? Validation { get; init; }

    /// <summary>The feature table's entity key and label column, by name, as an external trainer's files call them.</summary>
    public string EntityColumn { get; init; } = "entity_id";

    public string LabelColumn { get; init; } = "label";

    /// <summary>The seed of the run (it also seeded the split), for trainers that draw random numbers.</summary>
    public int Seed { get; init; } = 42;
}
