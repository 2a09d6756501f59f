using Mlops.Contracts;
using Mlops.Orchestrator.Admission;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_a_trigger_is_described
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Drift_names_the_feature_the_metric_its_value_against_the_threshold_and_the_window() =>
        Assert.Equal(
            "prediction drifted: js_distance 0.1235 exceeds 0.1 in the window 2025-06-01 10:00Z to 10:15:30Z (2 of 3 windows breached; version 4)",
            TriggerDetails.Of(new DriftDetected
            {
                ModelName = "dev.ml.churn", Environment = "dev", ModelVersion = 4, Feature = "prediction", Metric = "js_distance",
                Value = 0.123456, Threshold = 0.1, WindowStart = Start, WindowEnd = Start.AddMinutes(15.5), WindowsBreached = 2, WindowsConsidered = 3,
            }));

    [Fact]
    public void Degraded_performance_names_the_metric_its_baseline_value_and_drop() =>
        Assert.Equal(
            "accuracy fell from its baseline 0.9 to 0.8: a drop of 0.1, more than 0.05, on 250 labelled rows in the window " +
            "2025-06-01 10:00Z to 2025-06-03 10:00Z (version 2)",
            TriggerDetails.Of(new ModelPerformanceDegraded
            {
                ModelName = "dev.ml.churn", Environment = "dev", ModelVersion = 2, Metric = "accuracy", Baseline = 0.9, Value = 0.8, Drop = 0.1,
                Threshold = 0.05, LabeledRows = 250, WindowStart = Start, WindowEnd = Start.AddDays(2),
            }));

    [Fact]
    public void A_recheck_says_it_came_back_after_the_cooldown_and_what_the_alert_said() =>
        Assert.Equal("re-check after the cooldown: tenure_months drifted: psi 0.3 exceeds 0.2", TriggerDetails.OfRecheck("tenure_months drifted: psi 0.3 exceeds 0.2"));

    [Fact]
    public void A_window_given_in_another_offset_reads_in_UTC() =>
        Assert.EndsWith("in the window 2025-06-01 10:00Z to 11:00Z (0 of 0 windows breached; version 0)", TriggerDetails.Of(new DriftDetected
        {
            WindowStart = Start.ToOffset(TimeSpan.FromHours(2)), WindowEnd = Start.AddHours(1).ToOffset(TimeSpan.FromHours(-5)),
        }));

    [Fact]
    public void A_schedule_says_which_occurrence_came_due() =>
        Assert.Equal("schedule '0 3 * * *' (UTC) came due at 2025-06-01 03:00Z",
            TriggerDetails.Of(new PipelineScheduleDue { Schedule = "0 3 * * *", Occurrence = new DateTimeOffset(2025, 6, 1, 3, 0, 0, TimeSpan.Zero) }));

    [Fact]
    public void A_late_schedule_says_since_when_occurrences_were_missed() =>
        Assert.Equal(
            "schedule '0 3 * * *' (UTC) came due at 2025-06-03 03:00Z; the occurrences since 2025-06-01 03:00Z were missed while no orchestrator ran and fold into this one",
            TriggerDetails.Of(new PipelineScheduleDue
            {
                Schedule = "0 3 * * *", Occurrence = new DateTimeOffset(2025, 6, 3, 3, 0, 0, TimeSpan.Zero),
                MissedSince = new DateTimeOffset(2025, 6, 1, 3, 0, 0, TimeSpan.Zero),
            }));
}
