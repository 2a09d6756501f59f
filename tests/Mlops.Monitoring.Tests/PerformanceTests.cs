using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_labels_have_landed_for_a_window
{
    private static readonly Dictionary<string, double> Baseline = new() { ["accuracy"] = 0.8, ["auc"] = 0.9 };

    [Fact]
    public void Accuracy_and_auc_are_compared_with_the_training_baseline()
    {
        // Predicted 1 0 1 0 0 1 at 0.5 against 1 0 1 0 1 0: 4 of 6 right. AUC: of the 9 positive–negative pairs the positive
        // scores higher in 6 (0.9 beats 3, 0.6 beats 2, 0.3 beats 1): 6/9.
        var comparison = ModelPerformance.Compare([1, 0, 1, 0, 1, 0], [0.9, 0.2, 0.6, 0.4, 0.3, 0.7], Baseline);

        Assert.Equal(4.0 / 6, comparison.Accuracy.Value, 12);
        Assert.Equal(6.0 / 9, comparison.Auc.Value, 12);
        Assert.Equal(0.8 - 4.0 / 6, comparison.AccuracyDrop!.Value, 12);
        Assert.Equal(0.9 - 6.0 / 9, comparison.AucDrop!.Value, 12);
        Assert.Equal(6, comparison.Accuracy.SampleSize);
    }

    [Fact]
    public void Labels_of_one_class_leave_the_auc_not_computable()
    {
        var comparison = ModelPerformance.Compare([1, 1, 1], [0.9, 0.2, 0.6], Baseline);

        Assert.Equal(2.0 / 3, comparison.Accuracy.Value, 12);
        Assert.Equal(MeasurementStatus.NotComputable, comparison.Auc.Status);
        Assert.Null(comparison.AucDrop);
    }

    [Fact]
    public void A_window_without_labelled_rows_has_neither()
    {
        var comparison = ModelPerformance.Compare([double.NaN, double.NaN], [0.9, 0.2], Baseline);

        Assert.Equal((MeasurementStatus.NotComputable, MeasurementStatus.NotComputable), (comparison.Accuracy.Status, comparison.Auc.Status));
        Assert.Equal("the window has no labelled rows", comparison.Accuracy.Reason);
        Assert.Equal(0.8, comparison.Accuracy.Baseline);
    }

    [Fact]
    public void Counts_and_a_rank_sum_give_what_the_labelled_rows_give()
    {
        // Ranks of 0.2 0.3 0.4 0.6 0.6 0.7 0.9: 1 2 3 4.5 4.5 6 7; positives at 0.9, 0.6 (one of the tie), 0.3: 7 + 4.5 + 2.
        double[] labels = [1, 0, 1, 0, 1, 0, 0];
        double[] scores = [0.9, 0.2, 0.6, 0.6, 0.3, 0.7, 0.4];
        var fromRows = ModelPerformance.Compare(labels, scores, Baseline);

        var fromCounts = ModelPerformance.Compare(new LabelledWindow(Count: 7, Positives: 3, Correct: 4, PositiveRankSum: 13.5), Baseline);

        Assert.Equal(fromRows.Accuracy.Value, fromCounts.Accuracy.Value, 12);
        Assert.Equal(fromRows.Auc.Value, fromCounts.Auc.Value, 12);
        Assert.Equal((fromRows.Accuracy.SampleSize, fromRows.Auc.Baseline), (fromCounts.Accuracy.SampleSize, fromCounts.Auc.Baseline));
    }

    [Fact]
    public void Counts_of_one_class_or_none_leave_what_rows_would_leave()
    {
        Assert.Equal(MeasurementStatus.NotComputable, ModelPerformance.Compare(new LabelledWindow(3, 3, 2, 6), Baseline).Auc.Status);
        Assert.Equal("the window has no labelled rows", ModelPerformance.Compare(new LabelledWindow(0, 0, 0, 0), Baseline).Accuracy.Reason);
    }

    [Fact]
    public void A_missing_baseline_leaves_the_drop_unknown()
    {
        var comparison = ModelPerformance.Compare([1, 0], [0.9, 0.2], new Dictionary<string, double>());

        Assert.Equal(1, comparison.Accuracy.Value);
        Assert.Null(comparison.AccuracyDrop);
    }
}

public sealed class When_latencies_are_summarised
{
    [Fact]
    public void P99_interpolates_between_order_statistics_like_percentile_cont()
    {
        // 1…100: position 0.99 × 99 = 98.01 between the 99th (99) and 100th (100) values: 99.01.
        var p99 = LatencyPercentile.P99([.. Enumerable.Range(1, 100).Select(i => (double)i).Reverse(), double.NaN]);

        Assert.Equal(99.01, p99.Value, 12);
        Assert.Equal(100, p99.SampleSize);
        Assert.Equal(DriftMetric.LatencyP99, p99.Metric);
    }

    [Fact]
    public void One_latency_is_its_own_p99_and_none_is_not_computable()
    {
        Assert.Equal(12.5, LatencyPercentile.P99([12.5]).Value);
        Assert.Equal(MeasurementStatus.NotComputable, LatencyPercentile.P99([]).Status);
    }
}
