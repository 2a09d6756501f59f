using Mlops.Monitoring.Drift;
using Mlops.Monitoring.Evaluation;
using Mlops.Monitoring.Windows;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_a_breach_is_confirmed
{
    private static readonly MonitoringPolicy Policy = MonitoringPolicy.Seed;

    [Theory]
    [InlineData(new[] { true }, false)]
    [InlineData(new[] { true, true }, true)]
    [InlineData(new[] { true, false, false, false, true }, true)]
    [InlineData(new[] { true, false, false, false, false, true }, false)]
    [InlineData(new[] { false, true, true, true, true }, false)]
    [InlineData(new bool[0], false)]
    public void It_takes_two_of_the_last_five_judged_windows_the_latest_among_them(bool[] newestFirst, bool confirmed) =>
        Assert.Equal(confirmed, Policy.IsConfirmed(newestFirst));
}

public sealed class When_a_window_metric_is_judged
{
    private static readonly MonitoringPolicy Policy = MonitoringPolicy.Seed;

    [Fact]
    public void A_value_above_the_threshold_breaches_and_one_at_it_does_not()
    {
        var above = Policy.Judge(SubjectKinds.Feature, "tenure", DriftMeasurement.Computed(DriftMetric.Psi, 0.21, 500));
        var at = Policy.Judge(SubjectKinds.Feature, "tenure", DriftMeasurement.Computed(DriftMetric.Psi, 0.2, 500));

        Assert.Equal((ResultStatus.Breached, 0.2, "psi 0.21 is above 0.2"), (above.Status, above.Threshold, above.Reason));
        Assert.Equal(ResultStatus.Ok, at.Status);
    }

    [Fact]
    public void Fewer_values_than_the_minimum_are_not_judged()
    {
        var result = Policy.Judge(SubjectKinds.Feature, "tenure", DriftMeasurement.Computed(DriftMetric.Psi, 3, 99));

        Assert.Equal((ResultStatus.TooFewRows, false, false), (result.Status, result.Breached, result.IsJudged));
    }

    [Fact]
    public void Accuracy_breaches_on_its_drop_below_the_training_baseline()
    {
        var dropped = Policy.Judge(SubjectKinds.Model, "model", DriftMeasurement.Computed(DriftMetric.Accuracy, 0.74, 400) with { Baseline = 0.8 });
        var held = Policy.Judge(SubjectKinds.Model, "model", DriftMeasurement.Computed(DriftMetric.Accuracy, 0.76, 400) with { Baseline = 0.8 });
        var withoutBaseline = Policy.Judge(SubjectKinds.Model, "model", DriftMeasurement.Computed(DriftMetric.Accuracy, 0.1, 400));

        Assert.Equal(ResultStatus.Breached, dropped.Status);
        Assert.Equal("accuracy 0.74 is 0.06 below the baseline 0.8, more than 0.05", dropped.Reason);
        Assert.Equal(ResultStatus.Ok, held.Status);
        Assert.Equal(ResultStatus.Measured, withoutBaseline.Status);
    }

    [Fact]
    public void A_metric_the_data_does_not_allow_keeps_its_reason()
    {
        var result = Policy.Judge(SubjectKinds.Feature, "tenure", DriftMeasurement.NotComputable(DriftMetric.Psi, "the window has no rows"));

        Assert.Equal((ResultStatus.NotComputable, (double?)null, "the window has no rows"), (result.Status, result.Value, result.Reason));
    }

    [Theory]
    [InlineData(SubjectKinds.Feature, DriftMetric.Psi, AlertKinds.Drift)]
    [InlineData(SubjectKinds.Feature, DriftMetric.NullRate, AlertKinds.DataQuality)]
    [InlineData(SubjectKinds.Feature, DriftMetric.KolmogorovSmirnov, null)]
    [InlineData(SubjectKinds.Prediction, DriftMetric.TotalVariation, AlertKinds.Drift)]
    [InlineData(SubjectKinds.Prediction, DriftMetric.Psi, null)]
    [InlineData(SubjectKinds.Model, DriftMetric.Accuracy, AlertKinds.Performance)]
    [InlineData(SubjectKinds.Model, DriftMetric.LatencyP99, AlertKinds.Latency)]
    public void The_seed_raises_drift_on_feature_psi_and_prediction_tvd(string subjectKind, string metric, string? alert) =>
        Assert.Equal(alert, MonitoringPolicy.Seed.AlertKindOf(subjectKind, metric));
}

public sealed class When_monitoring_is_configured
{
    [Fact]
    public void A_model_overrides_the_defaults_metric_by_metric()
    {
        var options = new MonitoringOptions
        {
            Defaults = new ModelMonitoringOptions { MinimumRows = 50, FeatureThresholds = { ["ks"] = 0.3 } },
            Models = { ["prod.ml.churn"] = new ModelMonitoringOptions { FeatureThresholds = { ["psi"] = 0.25 }, FeatureDriftMetrics = ["psi", "ks"] } },
        };

        var policy = options.PolicyFor("prod.ml.churn");

        Assert.Equal(new Dictionary<string, double> { ["psi"] = 0.25, ["null_rate"] = 0.05, ["ks"] = 0.3 }, policy.FeatureThresholds);
        Assert.Equal(50, policy.MinimumRows);
        Assert.Equal(["ks", "psi"], policy.FeatureDriftMetrics.Order());
        Assert.Equal(0.2, options.PolicyFor("prod.ml.other").FeatureThresholds["psi"]);
    }

    [Fact]
    public void A_configuration_that_could_not_judge_is_refused_naming_each_setting()
    {
        var options = new MonitoringOptions
        {
            WindowSize = TimeSpan.Zero,
            Defaults = new ModelMonitoringOptions { ConfirmationBreaches = 6, FeatureThresholds = { ["psl"] = 0.2 } },
            Models = { ["churn"] = new ModelMonitoringOptions { PredictionDriftMetrics = ["js_distance"], DecisionThreshold = 1.5 } },
        };

        var result = new MonitoringOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:WindowSize is 00:00:00"));
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:Defaults:ConfirmationBreaches is 6"));
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:Defaults:FeatureThresholds names 'psl'"));
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:Models: 'churn' is not a model name"));
        Assert.Contains(result.Failures!, f => f == "Monitoring:Models:churn:PredictionDriftMetrics names 'js_distance', which has no threshold: it could never be breached.");
        Assert.Contains(result.Failures!, f => f.StartsWith("Monitoring:Models:churn:DecisionThreshold is 1.5"));
    }

    [Fact]
    public void The_seed_configuration_is_valid() =>
        Assert.True(new MonitoringOptionsValidator().Validate(null, new MonitoringOptions()).Succeeded);
}

public sealed class When_predictions_are_placed_in_windows
{
    [Fact]
    public void Windows_are_aligned_on_the_epoch_and_hold_their_start_but_not_their_end()
    {
        var size = TimeSpan.FromMinutes(5);
        var window = TimeWindow.Containing(new DateTime(2025, 3, 1, 10, 7, 59, DateTimeKind.Utc), size);

        Assert.Equal(new TimeWindow(new DateTime(2025, 3, 1, 10, 5, 0, DateTimeKind.Utc), new DateTime(2025, 3, 1, 10, 10, 0, DateTimeKind.Utc)), window);
        Assert.True(window.Contains(window.Start));
        Assert.False(window.Contains(window.End));
        Assert.Equal(window, TimeWindow.Containing(window.Start, size));
        Assert.Equal(window.End, TimeWindow.Containing(window.End, size).Start);
    }
}
