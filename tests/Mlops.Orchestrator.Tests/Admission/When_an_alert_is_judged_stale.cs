using Mlops.Orchestrator.Admission;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_an_alert_is_judged_stale
{
    private static readonly MonitoringAlert OnVersion3 = new()
    {
        ModelVersion = 3,
        ScheduleRecheck = (_, _) => throw new InvalidOperationException("Judging an alert schedules nothing."),
    };

    [Fact]
    public void An_alert_on_the_champion_is_current() =>
        Assert.Null(OnVersion3.StaleReason("dev.ml.churn", champion: 3));

    [Fact]
    public void An_alert_on_a_version_that_is_no_longer_champion_is_stale() =>
        Assert.Equal(
            "The alert is stale: it was measured against version 3 of dev.ml.churn, but version 4 is the champion now.",
            OnVersion3.StaleReason("dev.ml.churn", champion: 4));

    [Fact]
    public void An_alert_on_a_model_without_a_champion_is_stale_as_nothing_of_it_serves() =>
        Assert.Equal(
            "The alert is stale: it was measured against version 3 of dev.ml.churn, which has no champion now.",
            OnVersion3.StaleReason("dev.ml.churn", champion: null));

    [Fact]
    public void An_alert_monitoring_raised_is_no_recheck_and_one_that_came_back_with_a_scheduling_token_is() =>
        Assert.Equal((false, true), (OnVersion3.IsRecheck, (OnVersion3 with { RecheckToken = Guid.NewGuid() }).IsRecheck));
}
