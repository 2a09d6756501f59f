using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// Steps wait two seconds for a reply and the sweeper ends a run three seconds past its deadline, looking twice a second: a
/// run whose deadline message is lost is swept within a test.
/// </summary>
public sealed class SweptRuns : PipelineHosts
{
    /// <summary>A model whose runs the workers never answer, for the test that holds the sweeper's lock.</summary>
    public const string Locked = "dev.ml.swept_locked";

    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(3);

    protected override IReadOnlyList<PipelineModelOptions> Models => [.. TestModels.All, TestModels.Model(Locked)];

    public override TimeSpan StepTimeout => TimeSpan.FromSeconds(2);

    protected override Dictionary<string, string?> OrchestratorSettings()
    {
        var settings = base.OrchestratorSettings();
        settings["Pipeline:DeadlineGracePeriod"] = "00:00:03";
        settings["Pipeline:SweepInterval"] = "00:00:00.5";
        return settings;
    }
}
