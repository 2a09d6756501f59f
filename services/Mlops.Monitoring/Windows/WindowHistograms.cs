using Mlops.Catalog;
using Mlops.Monitoring.Drift;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// The distributions of one window — a histogram per feature and one of the predictions, binned by the version's
/// reference — as stored in monitoring.windows.histograms. Its size depends on the bins, never on the rows.
/// </summary>
public sealed class WindowHistograms
{
    public required Dictionary<string, NumericHistogram> Numeric { get; init; }
    public required Dictionary<string, CategoricalHistogram> Categorical { get; init; }
    public required NumericHistogram Prediction { get; init; }

    /// <summary>Adds another window's counts (of the same version) to these.</summary>
    public void Merge(WindowHistograms other)
    {
        foreach (var (name, histogram) in other.Numeric)
        {
            if (Numeric.TryGetValue(name, out var mine))
                mine.Merge(histogram);
            else
                Numeric[name] = histogram;
        }
        foreach (var (name, histogram) in other.Categorical)
        {
            if (Categorical.TryGetValue(name, out var mine))
                mine.Merge(histogram);
            else
                Categorical[name] = histogram;
        }
        Prediction.Merge(other.Prediction);
    }

    public string ToJson() => CatalogJson.Serialize(this);

    public static WindowHistograms FromJson(string json) => CatalogJson.Deserialize<WindowHistograms>(json);
}
