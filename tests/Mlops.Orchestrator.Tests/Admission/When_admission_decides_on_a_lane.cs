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

    // An automatic kind, as drift or the schedule will be.
    private static readonly TriggerKind Automatic = new("drift_detected", RespectsCooldown: true);

    [Fact]
    public void A_lane_that_never_ran_starts_a_run() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(new LaneSnapshot { Now = Now }, TriggerKind.Manual, Model, Grace));

    [Theory]
    [InlineData("RefreshingFeatures")]
    [InlineData("Training")]
    [InlineData("CheckingCompliance")]
    [InlineData("Evaluating")]
    [InlineData("AwaitingApproval")]
    [InlineData("Promoting")]
    public void A_run_in_a_step_keeps_the_lane_busy(string state) =>
        Assert.Equal(LaneDecision.RecordOn(RunId), LanePolicy.Decide(Lane(state, startedAgo: TimeSpan.FromHours(5)), TriggerKind.Manual, Model, Grace));

    [Theory]
    [InlineData("Completed")]
    [InlineData("Rejected")]
    [InlineData("Failed")]
    [InlineData("TimedOut")]
    public void A_finished_run_frees_the_lane(string state) =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane(state, startedAgo: TimeSpan.FromHours(5)), TriggerKind.Manual, Model, Grace));

    [Fact]
    public void A_run_whose_start_is_on_its_way_keeps_the_lane_busy() =>
        Assert.Equal(LaneDecision.RecordOn(RunId), LanePolicy.Decide(Lane(null, startedAgo: TimeSpan.FromSeconds(2)), TriggerKind.Manual, Model, Grace));

    [Fact]
    public void A_run_that_never_started_within_the_grace_period_frees_the_lane() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane(null, startedAgo: Grace + TimeSpan.FromSeconds(1)), TriggerKind.Manual, Model, Grace));

    [Fact]
    public void An_automatic_trigger_within_the_cooldown_is_ignored_with_when_it_ends()
    {
        var decision = LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(20)), Automatic, Model, Grace);

        Assert.Equal(TriggerDisposition.Ignored, decision.Disposition);
        Assert.Contains("cooling down until 2025-06-01 12:40:00Z", decision.Reason);
    }

    [Fact]
    public void An_automatic_trigger_after_the_cooldown_starts_a_run() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(61)), Automatic, Model, Grace));

    [Fact]
    public void A_manual_request_is_never_held_back_by_the_cooldown() =>
        Assert.Equal(LaneDecision.Start, LanePolicy.Decide(Lane("Completed", startedAgo: TimeSpan.FromMinutes(1)), TriggerKind.Manual, Model, Grace));

    private static LaneSnapshot Lane(string? state, TimeSpan startedAgo) =>
        new() { ActiveRunId = RunId, ActiveRunState = state, LastStartedAt = Now - startedAgo, Now = Now };
}
