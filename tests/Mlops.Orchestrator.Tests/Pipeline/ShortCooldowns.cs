using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>Models that cool down for seconds after a run, so an alert the cooldown holds back comes back within a test.</summary>
public sealed class ShortCooldowns : PipelineHosts
{
    public const string Recheck = "dev.ml.recheck";
    public const string RecheckStorm = "dev.ml.recheck_storm";
    public const string Stale = "dev.ml.stale";
    public const string StaleAndFree = "dev.ml.stale_and_free";
    public const string NewChampion = "dev.ml.new_champion";

    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The cooldown of <see cref="NewChampion"/>: long enough for a code release's run and its promotion to finish before
    /// the re-check of an alert held back by it comes back.
    /// </summary>
    public static readonly TimeSpan LongerCooldown = TimeSpan.FromSeconds(5);

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override IReadOnlyList<PipelineModelOptions> Models =>
    [
        TestModels.Model(Recheck, m => m.Cooldown = Cooldown),
        TestModels.Model(RecheckStorm, m => m.Cooldown = Cooldown),
        TestModels.Model(Stale, m => m.Cooldown = Cooldown),
        TestModels.Model(StaleAndFree, m => m.Cooldown = Cooldown),
        TestModels.Model(NewChampion, m => m.Cooldown = LongerCooldown),
    ];
}
