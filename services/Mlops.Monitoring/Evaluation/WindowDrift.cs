using Mlops.Monitoring.Drift;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Evaluation;

/// <summary>
/// Every distribution metric of a stored window against its version's reference: per feature and for the predictions.
/// Binned metrics come from the histograms; KS and Wasserstein are exact from the raw values while the window kept them
/// (and the reference has a sample to compare them with), binned otherwise.
/// </summary>
public static class WindowDrift
{
    private static readonly HashSet<string> ExactFromRaw =
        [DriftMetric.KolmogorovSmirnov, DriftMetric.Wasserstein, DriftMetric.NormalizedWasserstein];

    public static IEnumerable<(string SubjectKind, string Subject, DriftMeasurement Measurement)> Measure(MonitoredVersion version, StoredWindow window)
    {
        foreach (var reference in version.NumericFeatures)
        {
            if (!window.Histograms.Numeric.TryGetValue(reference.Name, out var histogram))
                continue;
            foreach (var measurement in Numeric(reference, histogram, window.Sample?.Numeric.GetValueOrDefault(reference.Name)))
                yield return (SubjectKinds.Feature, reference.Name, measurement);
        }

        foreach (var reference in version.CategoricalFeatures)
        {
            if (!window.Histograms.Categorical.TryGetValue(reference.Name, out var histogram))
                continue;
            foreach (var measurement in FeatureDrift.Measure(reference, histogram))
                yield return (SubjectKinds.Feature, reference.Name, measurement);
        }

        foreach (var measurement in Numeric(version.Prediction, window.Histograms.Prediction, window.Sample?.Prediction))
            yield return (SubjectKinds.Prediction, SubjectKinds.PredictionSubject, measurement);
    }

    private static IReadOnlyList<DriftMeasurement> Numeric(NumericReference reference, NumericHistogram histogram, IReadOnlyList<double>? raw)
    {
        var binned = FeatureDrift.Measure(reference, histogram);
        if (raw is null)
            return binned;

        var exact = FeatureDrift.Measure(reference, raw).Where(m => ExactFromRaw.Contains(m.Metric) && m.IsComputed).ToDictionary(m => m.Metric);
        return [.. binned.Select(m => exact.GetValueOrDefault(m.Metric) ?? m)];
    }
}
