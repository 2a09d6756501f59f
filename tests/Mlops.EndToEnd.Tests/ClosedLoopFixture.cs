namespace Mlops.EndToEnd.Tests;

/// <summary>The platform with Serving, short monitoring windows, and the closed-loop policy: new data bootstraps, drift retrains.</summary>
public sealed class ClosedLoopFixture : PlatformFixture
{
    protected override bool WithServing => true;

    protected override IDictionary<string, string?> MonitoringSettings => new Dictionary<string, string?>
    {
        ["Monitoring:WindowSize"] = "00:00:02",
        ["Monitoring:WindowGrace"] = "00:00:00.500",
        ["Monitoring:EvaluationInterval"] = "00:00:01",
        ["Monitoring:Defaults:MinimumRows"] = "50",
    };

    protected override IDictionary<string, string?> OrchestratorSettings
    {
        get
        {
            var settings = base.OrchestratorSettings;
            settings["Pipeline:Models:0:OnNewData"] = "RetrainUntilChampion";
            settings["Pipeline:DefaultCooldown"] = "00:00:00";
            return settings;
        }
    }
}
