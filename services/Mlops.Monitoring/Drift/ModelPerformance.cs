using Mlops.Catalog.Models;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// How the model does on logged predictions whose ground truth has landed, against its validation metrics at training
/// time (<c>ReferenceProfile.BaselineMetrics</c>, keys "accuracy" and "auc"). Rows with a missing label or score are skipped,
/// as <see cref="ClassificationMetrics"/> does. No labelled row: neither is computable; labels of one class only: AUC is not.
/// </summary>
public static class ModelPerformance
{
    public static PerformanceComparison Compare(IReadOnlyList<double> labels, IReadOnlyList<double> probabilities,
        IReadOnlyDictionary<string, double> baseline, double threshold = 0.5)
    {
        var metrics = ClassificationMetrics.Compute(labels, probabilities, threshold);
        double? Baseline(string name) => baseline.TryGetValue(name, out var value) ? value : null;

        if (metrics.Count == 0)
        {
            const string reason = "the window has no labelled rows";
            return new PerformanceComparison(
                DriftMeasurement.NotComputable(DriftMetric.Accuracy, reason) with { Baseline = Baseline(DriftMetric.Accuracy) },
                DriftMeasurement.NotComputable(DriftMetric.Auc, reason) with { Baseline = Baseline(DriftMetric.Auc) });
        }

        var auc = double.IsNaN(metrics.Auc)
            ? DriftMeasurement.NotComputable(DriftMetric.Auc, "the window's labels are all of one class", metrics.Count)
            : DriftMeasurement.Computed(DriftMetric.Auc, metrics.Auc, metrics.Count);
        return new PerformanceComparison(
            DriftMeasurement.Computed(DriftMetric.Accuracy, metrics.Accuracy, metrics.Count) with { Baseline = Baseline(DriftMetric.Accuracy) },
            auc with { Baseline = Baseline(DriftMetric.Auc) });
    }
}
