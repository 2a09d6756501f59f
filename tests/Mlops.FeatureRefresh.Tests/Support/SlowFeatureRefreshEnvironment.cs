namespace Mlops.FeatureRefresh.Tests.Support;

/// <summary>The feature refresh world with a deliberately slow refresh (the fault-injection knob) and a lease shorter than the work.</summary>
public sealed class SlowFeatureRefreshEnvironment : FeatureRefreshEnvironment
{
    protected override IDictionary<string, string?> StepSettings() => new Dictionary<string, string?>
    {
        ["FeatureRefresh:ConcurrentRefreshes"] = "2",
        ["Steps:FaultInjection:ExtraWorkDuration"] = "00:00:06",
        ["Steps:LeaseDuration"] = "00:00:01.500",
        ["Steps:HeartbeatInterval"] = "00:00:00.200",
        ["Steps:PollInterval"] = "00:00:00.200",
        ["Steps:RetryDelay"] = "00:00:00.100",
    };
}
