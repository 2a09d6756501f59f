namespace Mlops.Catalog.Monitoring;

/// <summary>
/// The training-time distribution of one feature (or of the predictions). Numeric: bins by reference quantiles —
/// bin i holds edges[i−1] ≤ x &lt; edges[i], so there are edges + 1 bins — plus a sorted quantile sample for KS and
/// Wasserstein. Categorical: the categories seen and their shares (an unseen category is its own bin at drift time).
/// </summary>
public sealed record FeatureProfile
{
    public const string NumericType = "numeric";
    public const string CategoricalType = "categorical";

    public required string Name { get; init; }
    public required string Type { get; init; }
    public long Count { get; init; }
    public double NullRate { get; init; }
    public IReadOnlyList<double> BinEdges { get; init; } = [];
    public IReadOnlyList<double> BinProportions { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<double> CategoryProportions { get; init; } = [];
    public double? Mean { get; init; }
    public double? StandardDeviation { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    public IReadOnlyList<double> Sample { get; init; } = [];
}
