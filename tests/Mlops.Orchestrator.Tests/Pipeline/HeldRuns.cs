using Mlops.Contracts;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;
using Mlops.Testing;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// Models whose runs wait in RefreshingFeatures until the test answers for the feature refresh (<see cref="ReleaseAsync"/>),
/// so triggers can be recorded on an active run and the run then ended when the test says.
/// </summary>
public sealed class HeldRuns : PipelineHosts
{
    public const string Code = "dev.ml.held_code";
    public const string Rejected = "dev.ml.held_rejected";
    public const string Storm = "dev.ml.held_storm";
    public const string Stale = "dev.ml.held_stale";
    public const string Cancelled = "dev.ml.held_cancelled";
    public const string Repeated = "dev.ml.held_repeated";

    public static readonly IReadOnlyList<string> All = [Code, Rejected, Storm, Stale, Cancelled, Repeated];

    /// <summary>The Cooldown of <see cref="Rejected"/>: its drift alerts' follow-up waits for it. The others set none, and their follow-ups come from manual requests and code releases, which are never held back.</summary>
    public static readonly TimeSpan Cooldown = TimeSpan.FromSeconds(4);

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override IReadOnlyList<PipelineModelOptions> Models =>
        [.. All.Select(name => TestModels.Model(name, m => m.Cooldown = name == Rejected ? Cooldown : null))];

    /// <summary>Answers the held run's feature refresh as the worker would; the fake workers answer every later step.</summary>
    public Task ReleaseAsync(DeployCodePipelineState run) =>
        PublishAsync(new FeatureTableRefreshed
        {
            CorrelationId = run.CorrelationId, ModelName = run.ModelName, Environment = run.Environment, Principal = "feature-refresh",
            FeatureTable = run.FeatureTable, FeatureVersion = FakeWorkers.FakeWorkerScript.FeatureVersion, RowCount = 5000,
        });

    /// <summary>The follow-up decision on a finished run (a row of pipeline.triggers of kind follow_up), once it is made.</summary>
    public async Task<TriggerRow> FollowUpOfAsync(Guid runId) =>
        (await Eventually.WaitAsync(
            () => Database.QueryAsync<TriggerRow>($"{SelectTriggers} WHERE follow_up_of = @runId AND recheck_at IS NULL", new { runId }),
            rows => rows.Count > 0, $"the follow-up decision on run {runId}")).Single();

    /// <summary>The follow-ups of a finished run the cooldown held back (rows with recheck_at).</summary>
    public Task<IReadOnlyList<TriggerRow>> HeldBackFollowUpsOfAsync(Guid runId) =>
        Database.QueryAsync<TriggerRow>($"{SelectTriggers} WHERE follow_up_of = @runId AND recheck_at IS NOT NULL", new { runId });
}
