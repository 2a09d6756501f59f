using Mlops.Catalog.Models;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// How the model does on logged predictions whose ground truth has landed, against its validation metrics at training
/// time (<c>ReferenceProfile.BaselineMetrics</c>, keys "accuracy" and "auc"). Rows with a missing label or score are skipped,
/// as <see cref="ClassificationMetrics"/> does. No labelled row: neither is computable; labels of one class only: AUC is not.
/// From raw labels and scores, or from a <see cref="LabelledWindow"/>'s counts and rank sum — the same definitions, AUC as
/// the Mann–Whitney statistic with ties counting one half.
/// </summary>
public static class ModelPerformance
{
    public static PerformanceComparison Compare(IReadOnlyList<double> labels, IReadOnlyList<double> probabilities,
        IReadOnlyDictionary<string, double> baseline, double threshold = 0.5)
    {
        var metrics = ClassificationMetrics.Compute(labels, probabilities, threshold);
        return Comparison(metrics.Count, metrics.Accuracy, metrics.Auc, baseline);
    }

    public static PerformanceComparison Compare(LabelledWindow window, IReadOnlyDictionary<string, double> baseline)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(window.Count);
        if (window.Positives < 0 || window.Positives > window.Count || window.Correct < 0 || window.Correct > window.Count)
            throw new ArgumentException($"A window of {window.Count} labelled rows cannot have {window.Positives} positives and {window.Correct} correct.", nameof(window));

        double positives = window.Positives, negatives = window.Count - window.Positives;
        var auc = positives == 0 || negatives == 0 ? double.NaN : (window.PositiveRankSum - positives * (positives + 1) / 2) / (positives * negatives);
        return Comparison(window.Count, window.Count == 0 ? double.NaN : (double)window.Correct / window.Count, auc, baseline);
    }

    private static PerformanceComparison Comparison(long count, double accuracy, double auc, IReadOnlyDictionary<string, double> baseline)
    {
        double? Baseline(string name) => baseline.TryGetValue(name, out var value) ? value : null;

        if (count == 0)
        {
            const string reason = "the window has no labelled rows";
            return new PerformanceComparison(
                DriftMeasurement.NotComputable(DriftMetric.Accuracy, reason) with { Baseline = Baseline(DriftMetric.Accuracy) },
                DriftMeasurement.NotComputable(DriftMetric.Auc, reason) with { Baseline = Baseline(DriftMetric.Auc) });
        }

        var aucMeasurement = double.IsNaN(auc)
            ? DriftMeasurement.NotComputable(DriftMetric.Auc, "the window's labels are all of one class", count)
            : DriftMeasurement.Computed(DriftMetric.Auc, auc, count);
        return new PerformanceComparison(
            DriftMeasurement.Computed(DriftMetric.Accuracy, accuracy, count) with { Baseline = Baseline(DriftMetric.Accuracy) },
            aucMeasurement with { Baseline = Baseline(DriftMetric.Auc) });
    }
}
