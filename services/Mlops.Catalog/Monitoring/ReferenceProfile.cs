namespace Mlops.Catalog.Monitoring;

/// <summary>What a model saw in training, captured when it is trained and used by Monitoring as the drift baseline.</summary>
public sealed record ReferenceProfile
{
    public const string ArtifactName = "reference_profile.json";

    public required string ModelName { get; init; }
    public required long RowCount { get; init; }
    public required IReadOnlyList<FeatureProfile> Features { get; init; }
    public required FeatureProfile Prediction { get; init; }

    /// <summary>Validation metrics at training time: the baseline for performance degradation.</summary>
    public IReadOnlyDictionary<string, double> BaselineMetrics { get; init; } = new Dictionary<string, double>();
}
