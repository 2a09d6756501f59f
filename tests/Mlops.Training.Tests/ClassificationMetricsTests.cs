using Mlops.Catalog.Models;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_classification_metrics_are_computed
{
    [Theory]
    [InlineData(new[] { 0.0, 0, 1, 1 }, new[] { 0.1, 0.4, 0.35, 0.8 }, 0.75)] // 3 of 4 positive–negative pairs ordered right
    [InlineData(new[] { 0.0, 1, 0, 1 }, new[] { 0.5, 0.5, 0.2, 0.9 }, 0.875)] // one tied pair counts one half: 3.5 / 4
    [InlineData(new[] { 0.0, 1, 0, 1 }, new[] { 0.3, 0.3, 0.3, 0.3 }, 0.5)] // everything tied
    [InlineData(new[] { 0.0, 0, 1, 1, 1 }, new[] { 0.1, 0.2, 0.2, 0.2, 0.9 }, 0.8333333333333334)] // ties across classes: (1 + 1 + 0.5 + 0.5 + 1 + 1) / 6
    [InlineData(new[] { 0.0, 0, 1 }, new[] { 0.2, 0.3, 0.9 }, 1.0)]
    [InlineData(new[] { 0.0, 0, 1 }, new[] { 0.8, 0.7, 0.1 }, 0.0)]
    public void The_auc_is_the_share_of_correctly_ordered_pairs(double[] labels, double[] scores, double expected)
    {
        Assert.Equal(expected, ClassificationMetrics.Compute(labels, scores).Auc, 12);
    }

    [Fact]
    public void Rows_without_a_label_are_left_out()
    {
        var metrics = ClassificationMetrics.Compute([0, 0, 1, 1, double.NaN], [0.1, 0.4, 0.35, 0.8, 0.99]);

        Assert.Equal(0.75, metrics.Auc, 12);
        Assert.Equal(4, metrics.Count);
    }

    [Fact]
    public void Accuracy_f1_and_log_loss_match_the_hand_computed_values()
    {
        var metrics = ClassificationMetrics.Compute([1, 0, 1, 0], [0.8, 0.4, 0.3, 0.6]);

        Assert.Equal(0.5, metrics.Accuracy, 12); // right: 0.8 → 1, 0.4 → 0
        Assert.Equal(0.5, metrics.F1, 12); // tp 1, fp 1, fn 1
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.6) + Math.Log(0.3) + Math.Log(0.4)) / 4, metrics.LogLoss, 12);
    }

    [Fact]
    public void A_single_class_has_no_auc()
    {
        Assert.True(double.IsNaN(ClassificationMetrics.Compute([1, 1, 1], [0.2, 0.5, 0.9]).Auc));
    }
}
