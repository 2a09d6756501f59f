namespace Mlops.Monitoring.Drift;

/// <summary>Accuracy and AUC of a labelled window, each with its training baseline.</summary>
public sealed record PerformanceComparison(DriftMeasurement Accuracy, DriftMeasurement Auc)
{
    /// <summary>Baseline − window accuracy: positive when the model got worse; null when either side is missing.</summary>
    public double? AccuracyDrop => -Accuracy.Change;

    public double? AucDrop => -Auc.Change;
}
