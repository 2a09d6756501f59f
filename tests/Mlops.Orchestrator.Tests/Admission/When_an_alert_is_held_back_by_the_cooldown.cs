using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_an_alert_is_held_back_by_the_cooldown
{
    private static readonly DateTime Now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime CooldownEnds = new(2025, 6, 1, 12, 40, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    private static readonly PipelineModelOptions Model = new() { Name = "dev.ml.churn", Cooldown = TimeSpan.FromHours(1) };
    private static readonly PipelineOptions Settings = new() { StartGracePeriod = Grace };

    [Fact]
    public void The_decision_says_when_the_cooldown_ends()
    {
        var lane = new LaneSnapshot { ActiveRunId = Guid.NewGuid(), ActiveRunState = "Rejected", LastStartedAt = Now.AddMinutes(-20), Now = Now };

        var decision = LanePolicy.Decide(lane, TriggerKind.DriftDetected, Model, Settings);

        Assert.Equal((TriggerDisposition.Ignored, CooldownEnds), (decision.Disposition, decision.CooldownEndsAt));
    }

    [Fact]
    public void A_decision_the_cooldown_does_not_make_names_no_end() =>
        Assert.Null(LanePolicy.Decide(new LaneSnapshot { Now = Now }, TriggerKind.DriftDetected, Model, Settings).CooldownEndsAt);

    [Fact]
    public void The_first_alert_comes_back_a_moment_after_the_cooldown_ends() =>
        Assert.Equal(CooldownEnds + RecheckPolicy.Margin, RecheckPolicy.DueAt(new LaneSnapshot { Now = Now }, CooldownEnds, Grace));

    [Fact]
    public void An_alert_while_a_recheck_is_pending_is_covered_by_it() =>
        Assert.Null(RecheckPolicy.DueAt(Lane(recheckAt: CooldownEnds), CooldownEnds, Grace));

    [Fact]
    public void A_recheck_a_little_overdue_is_still_pending() =>
        Assert.Null(RecheckPolicy.DueAt(Lane(recheckAt: Now - Grace + TimeSpan.FromSeconds(1)), CooldownEnds, Grace));

    [Fact]
    public void A_recheck_overdue_by_the_grace_period_is_taken_as_lost_and_the_next_alert_schedules_another() =>
        Assert.Equal(CooldownEnds + RecheckPolicy.Margin, RecheckPolicy.DueAt(Lane(recheckAt: Now - Grace), CooldownEnds, Grace));

    private static LaneSnapshot Lane(DateTime recheckAt) => new() { RecheckAt = recheckAt, RecheckToken = Guid.NewGuid(), Now = Now };
}
