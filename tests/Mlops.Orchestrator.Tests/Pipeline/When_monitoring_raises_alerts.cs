using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_monitoring_raises_alerts(LongDeadlines pipeline) : IClassFixture<LongDeadlines>
{
    [Fact]
    public async Task A_storm_of_100_drift_alerts_starts_one_run_and_records_every_other_alert()
    {
        var champion = await pipeline.PromoteNewVersionAsync(TestModels.Storm);

        var alerts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => pipeline.TriggerAsync(Drift(TestModels.Storm, champion))));

        // The run's follow-up (kind follow_up, held back by the cooldown: the alerts recorded on it are on the champion still) is no alert.
        var triggers = await Eventually.WaitAsync(
            async () => (IReadOnlyList<TriggerRow>)(await pipeline.TriggersOfAsync(TestModels.Storm)).Where(t => t.Kind == "drift_detected").ToList(),
            t => t.Count >= alerts.Length, "an admission of every drift alert");

        Assert.Equal(100, triggers.Count);
        Assert.All(triggers, t => Assert.Equal("drift_detected", t.Kind));
        var byDisposition = triggers.GroupBy(t => t.Disposition).ToDictionary(g => g.Key, g => g.ToList());
        var started = Assert.Single(byDisposition["started"]);
        var recorded = byDisposition.GetValueOrDefault("recorded", []);
        var ignored = byDisposition.GetValueOrDefault("ignored", []);
        Assert.Equal(99, recorded.Count + ignored.Count);
        Assert.All(recorded, t => Assert.Equal((started.RunId, DriftDetail(champion)), (t.RunId, t.Detail)));
        // Alerts admitted once the run finished are held back by the cooldown after it; one of them comes back when it ends.
        Assert.All(ignored, t => Assert.Matches(
            $@"^{TestModels.Storm} is cooling down until .+Z: its last run started at .+Z and Pipeline:DefaultCooldown is 01:00:00 \(the model sets no Cooldown\)\. " +
            @"(The alert comes back for a re-check at .+Z|The re-check already scheduled for .+Z covers this alert)\.$",
            t.Detail));
        Assert.True(ignored.Count(t => t.RecheckAt is not null) <= 1, "at most one re-check scheduled");

        var run = await pipeline.RunAsync(started.RunId!.Value, "Completed");
        Assert.Equal(("drift_detected", DriftDetail(champion), (Guid?)null), (run.Trigger, run.TriggerDetail, run.RawBatchId));
        Assert.Null(Assert.Single(pipeline.Workers.Received<RefreshFeatures>(run.CorrelationId)).RawBatchId);
        Assert.Equal(1L, await pipeline.RunCountAsync(TestModels.Storm));
    }

    [Fact]
    public async Task A_drift_alert_in_the_cooldown_after_a_finished_run_is_recorded_as_ignored_with_the_reason_and_a_recheck_when_it_ends()
    {
        var champion = await pipeline.PromoteNewVersionAsync(TestModels.CoolingDown);
        var first = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.CoolingDown, Environment = "dev", Principal = "alice",
        }));
        await pipeline.FinishedAsync(first);

        var alert = await pipeline.TriggerAsync(Drift(TestModels.CoolingDown, champion));

        var admitted = Assert.Single(await pipeline.AdmittedAsync(alert));
        Assert.Equal(("drift_detected", "ignored", (Guid?)null), (admitted.Kind, admitted.Disposition, admitted.RunId));
        Assert.Matches(
            $@"^{TestModels.CoolingDown} is cooling down until .+Z: its last run started at .+Z and Cooldown is 00:30:00\. " +
            @"The alert comes back for a re-check at .+Z\.$",
            admitted.Detail);
        Assert.NotNull(admitted.RecheckAt);
        Assert.Equal(1L, await pipeline.RunCountAsync(TestModels.CoolingDown));
    }

    [Fact]
    public async Task Degraded_performance_starts_a_run_on_the_latest_batch()
    {
        var champion = await pipeline.PromoteNewVersionAsync(TestModels.Degraded);

        var alert = await pipeline.TriggerAsync(new ModelPerformanceDegraded
        {
            ModelName = TestModels.Degraded, Environment = "dev", Principal = "monitoring", ModelVersion = champion, Metric = "auc",
            Baseline = 0.81, Value = 0.72, Drop = 0.09, Threshold = 0.05, LabeledRows = 1200,
            WindowStart = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2025, 6, 2, 0, 0, 0, TimeSpan.Zero),
        });

        var run = await pipeline.RunAsync(await pipeline.StartedRunAsync(alert), "Completed");

        Assert.Equal(("performance_degraded", (Guid?)null), (run.Trigger, run.RawBatchId));
        Assert.Equal(
            "auc fell from its baseline 0.81 to 0.72: a drop of 0.09, more than 0.05, on 1200 labelled rows in the window " +
            $"2025-06-01 00:00Z to 2025-06-02 00:00Z (version {champion})",
            run.TriggerDetail);
    }

    private static string DriftDetail(int version) =>
        $"tenure_months drifted: psi 0.3125 exceeds 0.2 in the window 2025-06-01 10:00Z to 11:00Z (3 of 4 windows breached; version {version})";

    private static DriftDetected Drift(string model, int version) => new()
    {
        CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Principal = "monitoring", ModelVersion = version,
        Feature = "tenure_months", Metric = "psi", Value = 0.3125, Threshold = 0.2,
        WindowStart = new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2025, 6, 1, 11, 0, 0, TimeSpan.Zero),
        WindowsBreached = 3, WindowsConsidered = 4,
    };
}
