using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Tests.Pipeline;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_a_follow_up_is_judged
{
    private static readonly ReleasedCode ReleasedC4 = new()
    {
        ModelName = "dev.ml.churn", Environment = "dev", CodeVersion = "c4", Trainer = "external", ReleasedBy = "ci", MessageId = Guid.NewGuid(),
    };

    [Fact]
    public void Released_code_applies_while_it_is_the_released_code_and_not_what_the_run_trained()
    {
        Assert.Null(Judge(Release("c4"), runCode: "c1"));
        Assert.Equal("code c4 is what the run trained", Judge(Release("c4"), runCode: "c4"));
        Assert.Equal("code c3 was replaced by code c4", Judge(Release("c3"), runCode: "c1"));
    }

    [Theory]
    [InlineData("drift_detected")]
    [InlineData("performance_degraded")]
    public void An_alert_applies_while_the_version_it_was_measured_against_is_champion(string kind)
    {
        var alert = new RecordedTrigger { Kind = kind, ModelVersion = 3 };

        Assert.Null(Judge(alert, champion: 3));
        Assert.Equal($"the {kind} alert on version 3 is stale: version 4 is the champion now", Judge(alert, champion: 4));
        Assert.Equal($"the {kind} alert on version 3 is stale: there is no champion now", Judge(alert, champion: null));
    }

    [Theory]
    [InlineData("manual")]
    [InlineData("schedule")]
    public void A_manual_request_and_a_schedule_occurrence_always_apply(string kind) =>
        Assert.Null(Judge(new RecordedTrigger { Kind = kind }, champion: 9));

    [Fact]
    public void New_data_applies_per_OnNewData_judged_when_the_run_ended()
    {
        var landed = new RecordedTrigger { Kind = "raw_data_landed" };

        Assert.Null(Judge(landed, champion: 3, policy: NewDataPolicy.Retrain));
        Assert.Null(Judge(landed, champion: null, policy: NewDataPolicy.RetrainUntilChampion));
        Assert.StartsWith("dev.ml.churn has a champion (version 3) and OnNewData is RetrainUntilChampion",
            Judge(landed, champion: 3, policy: NewDataPolicy.RetrainUntilChampion));
    }

    [Theory]
    [InlineData(new[] { "drift_detected", "performance_degraded" }, CooldownRule.ModelOrDefaultCooldown)]
    [InlineData(new[] { "drift_detected", "raw_data_landed" }, CooldownRule.ModelCooldown)]
    [InlineData(new[] { "schedule" }, CooldownRule.ModelCooldown)]
    [InlineData(new[] { "drift_detected", "manual" }, CooldownRule.Exempt)]
    [InlineData(new[] { "training_code_released", "schedule" }, CooldownRule.Exempt)]
    public void It_is_held_back_as_little_as_the_least_held_back_of_its_triggers(string[] kinds, CooldownRule expected)
    {
        var kind = TriggerKind.ForFollowUpOf(kinds);

        Assert.Equal(("follow_up", expected), (kind.Name, kind.Cooldown));
    }

    private static RecordedTrigger Release(string code) => new() { Kind = "training_code_released", CodeVersion = code };

    private static string? Judge(RecordedTrigger trigger, string runCode = "c1", int? champion = 3, NewDataPolicy policy = NewDataPolicy.Ignore) =>
        FollowUpRules.ReasonItNoLongerApplies(trigger, TestModels.Model("dev.ml.churn", m => m.OnNewData = policy), runCode, ReleasedC4, champion);
}
