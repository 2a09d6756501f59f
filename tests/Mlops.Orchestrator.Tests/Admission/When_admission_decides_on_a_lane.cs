using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_admission_decides_on_a_lane
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    private static readonly Guid RunId = Guid.Parse("0195f0b2-0000-7000-8000-0000000000aa");
    private static readonly PipelineModelOptions Model = new() { Name = "dev.ml.churn", Cooldown = TimeSpan.FromHours(1) };
    private static readonly PipelineModelOptions NoCooldown = new() { Name = "dev.ml.churn" };
    private static readonly PipelineOptions Settings = new() { StartGracePeriod = Grace, DefaultCooldown = TimeSpan.FromMinutes(30) };

    private static readonly TriggerKind Automatic = TriggerKind.DriftDetected;

    [Fact]
    public void A_lane_that_never_ran_starts_a_run() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(new LaneSnapshot { Now = Now }, TriggerKind.Manual, Model, Settings));

    [Theory]
    [InlineData("RefreshingFeatures")]
    [InlineData("Training")]
    [InlineData("CheckingCompliance")]
    [InlineData("Evaluating")]
    [InlineData("AwaitingApproval")]
    [InlineData("Promoting")]
    public void A_run_in_a_step_keeps_the_lane_busy(string state) =>
        Assert.Equal(LaneDecision.RecordOn(RunId), LanePolicy.Decide(Lane(state, startedAgo: TimeSpan.FromHours(5)), TriggerKind.Manual, Model, Settings));

    [Theory]
    [InlineData("Completed")]
    [InlineData("Rejected")]
    [InlineData("Failed")]
    [InlineData("TimedOut")]
    public void A_finished_run_frees_the_lane(string state) =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane(state, startedAgo: TimeSpan.FromHours(5)), TriggerKind.Manual, Model, Settings));

    [Fact]
    public void A_run_whose_start_is_on_its_way_keeps_the_lane_busy() =>
        Assert.Equal(LaneDecision.RecordOn(RunId), LanePolicy.Decide(Lane(null, startedAgo: TimeSpan.FromSeconds(2)), TriggerKind.Manual, Model, Settings));

    [Fact]
    public void A_run_that_never_started_within_the_grace_period_frees_the_lane() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane(null, startedAgo: Grace + TimeSpan.FromSeconds(1)), TriggerKind.Manual, Model, Settings));

    [Fact]
    public void An_automatic_trigger_within_the_cooldown_is_ignored_with_when_it_ends()
    {
        var decision = LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(20)), Automatic, Model, Settings);

        Assert.Equal(TriggerDisposition.Ignored, decision.Disposition);
        Assert.Contains("cooling down until 2025-06-01 12:40:00Z", decision.Reason);
    }

    [Fact]
    public void An_automatic_trigger_after_the_cooldown_starts_a_run() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(61)), Automatic, Model, Settings));

    [Fact]
    public void A_manual_request_is_never_held_back_by_the_cooldown() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(1)), TriggerKind.Manual, Model, Settings));

    [Fact]
    public void A_code_release_is_never_held_back_by_the_cooldown() =>
        Assert.Equal(LaneDecision.Start,
            LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(1)), TriggerKind.TrainingCodeReleased, Model, Settings));

    [Theory]
    [InlineData("raw_data_landed")]
    [InlineData("schedule")]
    [InlineData("drift_detected")]
    [InlineData("performance_degraded")]
    public void Every_automatic_kind_waits_for_the_models_cooldown(string kind)
    {
        var decision = LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(59)), Kind(kind), Model, Settings);

        Assert.Equal(TriggerDisposition.Ignored, decision.Disposition);
        Assert.Equal(
            "dev.ml.churn is cooling down until 2025-06-01 12:01:00Z: its last run started at 2025-06-01 11:01:00Z and Cooldown is 01:00:00.",
            decision.Reason);
    }

    [Theory]
    [InlineData("drift_detected")]
    [InlineData("performance_degraded")]
    public void A_monitoring_alert_for_a_model_without_a_cooldown_waits_for_the_default_one(string kind)
    {
        var decision = LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(10)), Kind(kind), NoCooldown, Settings);

        Assert.Equal(TriggerDisposition.Ignored, decision.Disposition);
        Assert.Equal(
            "dev.ml.churn is cooling down until 2025-06-01 12:20:00Z: its last run started at 2025-06-01 11:50:00Z " +
            "and Pipeline:DefaultCooldown is 00:30:00 (the model sets no Cooldown).",
            decision.Reason);
    }

    [Theory]
    [InlineData("drift_detected")]
    [InlineData("performance_degraded")]
    public void A_monitoring_alert_after_the_default_cooldown_starts_a_run(string kind) =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(31)), Kind(kind), NoCooldown, Settings));

    [Theory]
    [InlineData("raw_data_landed")]
    [InlineData("schedule")]
    public void New_data_and_the_schedule_of_a_model_without_a_cooldown_are_not_held_back(string kind) =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(1)), Kind(kind), NoCooldown, Settings));

    [Fact]
    public void A_default_cooldown_of_zero_holds_no_alert_back() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromSeconds(1)), TriggerKind.DriftDetected, NoCooldown,
            new PipelineOptions { StartGracePeriod = Grace, DefaultCooldown = TimeSpan.Zero }));

    [Fact]
    public void A_monitoring_alert_during_a_run_is_recorded_on_it() =>
        Assert.Equal(LaneDecision.RecordOn(RunId), LanePolicy.Decide(Lane("Training", startedAgo: TimeSpan.FromMinutes(1)), TriggerKind.DriftDetected, Model, Settings));

    private static TriggerKind Kind(string name) =>
        new[] { TriggerKind.RawDataLanded, TriggerKind.Schedule, TriggerKind.DriftDetected, TriggerKind.PerformanceDegraded }.Single(k => k.Name == name);

    private static LaneSnapshot Lane(string? state, TimeSpan startedAgo) =>
        new() { ActiveRunId = RunId, ActiveRunState = state, LastStartedAt = Now - startedAgo, Now = Now };
}
