using Mlops.Catalog.Features;

namespace Mlops.Training.Trainers;

/// <summary>
/// What a trainer learns from: the training split only (validation and holdout never reach it, so nothing it fits —
/// preprocessing included — can peek at them), the input features to use, and a 0/1 label for every row.
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
}
