using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// A model version's training reference prepared for drift, once per version: the bins every window of the version is
/// counted in, the distributions it is measured against, and the training metrics performance is compared with.
/// </summary>
public sealed class MonitoredVersion
{
    private MonitoredVersion(string modelName, int version, IReadOnlyList<NumericReference> numeric, IReadOnlyList<CategoricalReference> categorical,
        NumericReference prediction, IReadOnlyDictionary<string, double> baselineMetrics)
    {
        ModelName = modelName;
        Version = version;
        NumericFeatures = numeric;
        CategoricalFeatures = categorical;
        Prediction = prediction;
        BaselineMetrics = baselineMetrics;
    }

    public string ModelName { get; }
    public int Version { get; }
    public IReadOnlyList<NumericReference> NumericFeatures { get; }
    public IReadOnlyList<CategoricalReference> CategoricalFeatures { get; }
    public NumericReference Prediction { get; }

    /// <summary>Validation metrics at training time ("accuracy", "auc", ...).</summary>
    public IReadOnlyDictionary<string, double> BaselineMetrics { get; }

    /// <summary>Empty histograms over this version's bins, one per feature and one for the predictions.</summary>
    public WindowHistograms NewHistograms() => new()
    {
        Numeric = NumericFeatures.ToDictionary(f => f.Name, f => f.NewHistogram(), StringComparer.Ordinal),
        Categorical = CategoricalFeatures.ToDictionary(f => f.Name, f => f.NewHistogram(), StringComparer.Ordinal),
        Prediction = Prediction.NewHistogram(),
    };

    /// <summary>Prepares a stored profile; a profile that cannot be binned throws <see cref="ArgumentException"/> naming the feature.</summary>
    public static MonitoredVersion From(string modelName, int version, ReferenceProfile profile)
    {
        var duplicate = profile.Features.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"The reference profile of {modelName} v{version} has feature '{duplicate.Key}' twice.");

        return new MonitoredVersion(modelName, version,
            [.. profile.Features.Where(f => f.Type == FeatureProfile.NumericType).Select(f => NumericReference.From(f))],
            [.. profile.Features.Where(f => f.Type == FeatureProfile.CategoricalType).Select(CategoricalReference.From)],
            NumericReference.From(profile.Prediction),
            profile.BaselineMetrics);
    }
}
