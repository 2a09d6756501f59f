using Mlops.Contracts;
using Mlops.Orchestrator.Admission;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_an_alert_arrives_while_the_model_cools_down(ShortCooldowns pipeline) : IClassFixture<ShortCooldowns>
{
    [Fact]
    public async Task It_is_ignored_with_a_recheck_that_starts_a_run_when_the_cooldown_ends()
    {
        const string model = ShortCooldowns.Recheck;
        var champion = await pipeline.PromoteNewVersionAsync(model);
        await RunToTheEndAsync(model);

        var alert = await pipeline.TriggerAsync(Drift(model, champion));

        var held = Assert.Single(await pipeline.AdmittedAsync(alert));
        Assert.Equal(("drift_detected", "ignored", (Guid?)null), (held.Kind, held.Disposition, held.RunId));
        Assert.NotNull(held.RecheckAt);
        var recheckAt = held.RecheckAt.Value;
        Assert.Matches(
            $@"^{model} is cooling down until .+Z: its last run started at .+Z and Cooldown is 00:00:03\. " +
            $@"The alert comes back for a re-check at {recheckAt:yyyy-MM-dd HH:mm:ss}Z\.$",
            held.Detail);
        var recheck = Assert.Single(await RechecksInTheOutboxAsync(model));
        Assert.Equal(held.RecheckToken, recheck.SchedulingTokenId);
        Assert.InRange(recheck.DeliverAfter, recheckAt - TimeSpan.FromSeconds(1), recheckAt);
        Assert.True(recheck.DeliverAfter > held.ReceivedAt, "the re-check is due later than the alert was admitted");
        Assert.Equal(recheckAt, await LaneRecheckAsync(model));

        var started = Assert.Single(await pipeline.AdmittedAsync(recheck.MessageId));
        Assert.Equal(("drift_detected", "started"), (started.Kind, started.Disposition));
        Assert.True(started.ReceivedAt >= recheckAt - RecheckPolicy.Margin, "the re-check came back once the cooldown had ended");
        var run = await pipeline.RunAsync(started.RunId!.Value, "Completed");
        Assert.Equal(("drift_detected", $"re-check after the cooldown: {DriftDetail(champion)}"), (run.Trigger, run.TriggerDetail));
        Assert.Null(await LaneRecheckAsync(model));
        Assert.Equal(2L, await pipeline.RunCountAsync(model));
    }

    [Fact]
    public async Task Twenty_alerts_schedule_one_recheck_which_starts_one_run()
    {
        const string model = ShortCooldowns.RecheckStorm;
        var champion = await pipeline.PromoteNewVersionAsync(model);
        await RunToTheEndAsync(model);

        var alerts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => pipeline.TriggerAsync(Drift(model, champion))));

        var held = (await Task.WhenAll(alerts.Select(a => pipeline.AdmittedAsync(a)))).Select(Assert.Single).ToList();
        Assert.All(held, t => Assert.Equal(("ignored", (Guid?)null), (t.Disposition, t.RunId)));
        var scheduling = Assert.Single(held, t => t.RecheckAt is not null);
        Assert.All(held.Where(t => t != scheduling), t => Assert.EndsWith(
            $"The re-check already scheduled for {scheduling.RecheckAt:yyyy-MM-dd HH:mm:ss}Z covers this alert.", t.Detail));
        var recheck = Assert.Single(await RechecksInTheOutboxAsync(model));
        Assert.Equal(scheduling.RecheckToken, recheck.SchedulingTokenId);

        var run = await pipeline.RunAsync(await pipeline.StartedRunAsync(recheck.MessageId), "Completed");

        Assert.Equal("drift_detected", run.Trigger);
        Assert.Equal(2L, await pipeline.RunCountAsync(model));
        // Nothing is left to come back: the lane has no pending re-check and the outbox none undelivered.
        Assert.Null(await LaneRecheckAsync(model));
        Assert.NotNull(Assert.Single(await RechecksInTheOutboxAsync(model)).DeliveredAt);
    }

    [Fact]
    public async Task One_on_a_version_that_is_no_longer_champion_is_ignored_as_stale_and_schedules_nothing()
    {
        const string model = ShortCooldowns.Stale;
        var measured = await pipeline.PromoteNewVersionAsync(model);
        var champion = await pipeline.PromoteNewVersionAsync(model);
        await RunToTheEndAsync(model);

        var alert = await pipeline.TriggerAsync(Degraded(model, measured));

        var admitted = Assert.Single(await pipeline.AdmittedAsync(alert));
        Assert.Equal(("performance_degraded", "ignored", (Guid?)null, (DateTime?)null), (admitted.Kind, admitted.Disposition, admitted.RunId, admitted.RecheckAt));
        Assert.Equal($"The alert is stale: it was measured against version {measured} of {model}, but version {champion} is the champion now.", admitted.Detail);
        Assert.Empty(await RechecksInTheOutboxAsync(model));
        Assert.Null(await LaneRecheckAsync(model));
        Assert.Equal(1L, await pipeline.RunCountAsync(model));
    }

    [Fact]
    public async Task A_stale_one_starts_no_run_even_when_the_model_is_free_to_run()
    {
        const string model = ShortCooldowns.StaleAndFree;
        var measured = await pipeline.PromoteNewVersionAsync(model);
        var champion = await pipeline.PromoteNewVersionAsync(model);

        var alert = await pipeline.TriggerAsync(Drift(model, measured));

        var admitted = Assert.Single(await pipeline.AdmittedAsync(alert));
        Assert.Equal(("ignored", $"The alert is stale: it was measured against version {measured} of {model}, but version {champion} is the champion now."),
            (admitted.Disposition, admitted.Detail));
        Assert.Equal(0L, await pipeline.RunCountAsync(model));
    }

    [Fact]
    public async Task Its_recheck_after_a_run_that_promoted_a_new_champion_is_ignored_as_stale()
    {
        const string model = ShortCooldowns.NewChampion;
        var measured = await pipeline.PromoteNewVersionAsync(model);
        await RunToTheEndAsync(model);
        var held = Assert.Single(await pipeline.AdmittedAsync(await pipeline.TriggerAsync(Drift(model, measured))));
        Assert.NotNull(held.RecheckAt);

        // New code is released during the cooldown (a release is never held back), and its run promotes a new champion.
        var release = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new TrainingCodeReleased
        {
            ModelName = model, Environment = "dev", Principal = "ci", CodeVersion = "c0ffee2", Trainer = "logistic_regression",
        }));
        await pipeline.RunAsync(release, "Completed");
        var champion = await pipeline.PromoteNewVersionAsync(model);
        var recheck = Assert.Single(await RechecksInTheOutboxAsync(model));
        Assert.Empty(await pipeline.Database.QueryAsync<Guid>("SELECT message_id FROM pipeline.triggers WHERE message_id = @id", new { id = recheck.MessageId }));

        var rechecked = Assert.Single(await pipeline.AdmittedAsync(recheck.MessageId));

        Assert.Equal(("drift_detected", "ignored", (Guid?)null, (DateTime?)null), (rechecked.Kind, rechecked.Disposition, rechecked.RunId, rechecked.RecheckAt));
        Assert.Equal($"The alert is stale: it was measured against version {measured} of {model}, but version {champion} is the champion now.", rechecked.Detail);
        Assert.Equal(2L, await pipeline.RunCountAsync(model));
        Assert.Null(await LaneRecheckAsync(model));
    }

    /// <summary>Runs the model once (an operator's request, never held back) and waits for the run to end: its cooldown has begun.</summary>
    private async Task RunToTheEndAsync(string model)
    {
        var run = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested { ModelName = model, Environment = "dev", Principal = "alice" }));
        await pipeline.FinishedAsync(run);
    }

    private Task<IReadOnlyList<OutboxRecheck>> RechecksInTheOutboxAsync(string model) =>
        pipeline.Database.QueryAsync<OutboxRecheck>(
            """
            SELECT message_id AS MessageId, scheduling_token_id AS SchedulingTokenId, deliver_after AS DeliverAfter, delivered_at AS DeliveredAt
            FROM messaging.outbox
            WHERE scheduling_token_id IS NOT NULL
              AND (message_type LIKE '%DriftDetected%' OR message_type LIKE '%ModelPerformanceDegraded%')
              AND body LIKE '%' || @quoted || '%'
            ORDER BY sequence_number
            """, new { quoted = $"\"{model}\"" });

    private Task<DateTime?> LaneRecheckAsync(string model) =>
        pipeline.Database.ScalarAsync<DateTime?>("SELECT recheck_at FROM pipeline.lanes WHERE model_name = @model", new { model });

    private static string DriftDetail(int version) =>
        $"tenure_months drifted: psi 0.3125 exceeds 0.2 in the window 2025-06-01 10:00Z to 11:00Z (3 of 4 windows breached; version {version})";

    private static DriftDetected Drift(string model, int version) => new()
    {
        CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Principal = "monitoring", ModelVersion = version,
        Feature = "tenure_months", Metric = "psi", Value = 0.3125, Threshold = 0.2,
        WindowStart = new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2025, 6, 1, 11, 0, 0, TimeSpan.Zero),
        WindowsBreached = 3, WindowsConsidered = 4,
    };

    private static ModelPerformanceDegraded Degraded(string model, int version) => new()
    {
        CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Principal = "monitoring", ModelVersion = version, Metric = "auc",
        Baseline = 0.81, Value = 0.72, Drop = 0.09, Threshold = 0.05, LabeledRows = 1200,
        WindowStart = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero),
    };
}
