using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_run_ends_with_triggers_recorded_on_it(HeldRuns pipeline) : IClassFixture<HeldRuns>
{
    [Fact]
    public async Task Code_released_during_the_run_is_trained_by_one_follow_up_run()
    {
        var first = await StartHeldRunAsync(HeldRuns.Code);
        var release = await pipeline.TriggerAsync(new TrainingCodeReleased
        {
            ModelName = HeldRuns.Code, Environment = "dev", Principal = "ci", CodeVersion = "c2", Trainer = "external",
        });
        Assert.Equal(("recorded", first.CorrelationId), Recorded(await pipeline.AdmittedAsync(release)));

        await pipeline.ReleaseAsync(first);
        await pipeline.RunAsync(first.CorrelationId, "Completed");

        var followUp = await pipeline.FollowUpOfAsync(first.CorrelationId);
        Assert.Equal(("follow_up", "started"), (followUp.Kind, followUp.Disposition));
        Assert.Equal($"follow-up of run {first.CorrelationId}, which ended Completed: training_code_released (code c2 (external) released by ci)",
            followUp.Detail);
        var second = await pipeline.RunAsync(followUp.RunId!.Value, "RefreshingFeatures");
        Assert.Equal(("follow_up", followUp.Detail, "c2", "external", "ci"), (second.Trigger, second.TriggerDetail, second.CodeVersion, second.Trainer, second.Principal));
        Assert.Equal(2L, await pipeline.RunCountAsync(HeldRuns.Code));
    }

    [Fact]
    public async Task A_repeated_PipelineRunFinished_starts_nothing_more()
    {
        var first = await StartHeldRunAsync(HeldRuns.Repeated);
        await pipeline.AdmittedAsync(await pipeline.TriggerAsync(new PipelineRequested { ModelName = HeldRuns.Repeated, Environment = "dev", Principal = "bob" }));
        await pipeline.ReleaseAsync(first);
        var finished = await pipeline.FinishedAsync(first.CorrelationId);
        var followUp = await pipeline.FollowUpOfAsync(first.CorrelationId);
        Assert.Equal("started", followUp.Disposition);
        // The follow-up run's saga starts from a message the outbox sends after the decision commits: wait for it to exist.
        await pipeline.RunAsync(followUp.RunId!.Value, "RefreshingFeatures");

        await using var scope = pipeline.Orchestrators[0].Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync();
        var again = await scope.ServiceProvider.GetRequiredService<FollowUpAdmission>().AfterRunAsync(session,
            scope.ServiceProvider.GetRequiredService<IBus>(), finished, NewId.NextGuid(),
            (_, _) => throw new InvalidOperationException("A decided follow-up is never held back."), CancellationToken.None);
        await session.CommitAsync();

        Assert.Null(again);
        Assert.Equal(followUp, await pipeline.FollowUpOfAsync(first.CorrelationId));
        Assert.Equal(2L, await pipeline.RunCountAsync(HeldRuns.Repeated));
    }

    [Fact]
    public async Task A_drift_alert_on_the_champion_recorded_on_a_run_that_ends_Rejected_starts_one_follow_up_run()
    {
        var champion = await pipeline.PromoteNewVersionAsync(HeldRuns.Rejected);
        var first = await StartHeldRunAsync(HeldRuns.Rejected);
        var alert = await pipeline.TriggerAsync(Drift(HeldRuns.Rejected, champion, "tenure_months"));
        Assert.Equal(("recorded", first.CorrelationId), Recorded(await pipeline.AdmittedAsync(alert)));

        await pipeline.ReleaseAsync(first);
        var rejected = await pipeline.RunAsync(first.CorrelationId, "Rejected");

        var followUp = await pipeline.FollowUpOfAsync(first.CorrelationId);
        Assert.Equal("started", followUp.Disposition);
        Assert.StartsWith($"follow-up of run {first.CorrelationId}, which ended Rejected: drift_detected (tenure_months drifted: ", followUp.Detail);
        var second = await pipeline.RunAsync(followUp.RunId!.Value, "RefreshingFeatures");
        Assert.Equal("follow_up", second.Trigger);
        Assert.Equal(2L, await pipeline.RunCountAsync(HeldRuns.Rejected));
        // An alert is held back by the model's cooldown, and so is a follow-up of nothing but alerts: it waited for the cooldown to end.
        Assert.True(second.StartedAt - first.StartedAt >= HeldRuns.Cooldown, $"the follow-up started {second.StartedAt - first.StartedAt} after the run");
        if (rejected.FinishedAt < first.StartedAt + HeldRuns.Cooldown - TimeSpan.FromSeconds(1))
        {
            var heldBack = Assert.Single(await pipeline.HeldBackFollowUpsOfAsync(first.CorrelationId));
            Assert.Equal(("follow_up", "ignored"), (heldBack.Kind, heldBack.Disposition));
            Assert.StartsWith($"Follow-up of run {first.CorrelationId}, which ended Rejected, held back: {HeldRuns.Rejected} is cooling down until ",
                heldBack.Detail);
        }
    }

    [Fact]
    public async Task A_storm_of_recorded_triggers_starts_exactly_one_follow_up_run_even_with_two_orchestrators()
    {
        var champion = await pipeline.PromoteNewVersionAsync(HeldRuns.Storm);
        var first = await StartHeldRunAsync(HeldRuns.Storm);
        if (pipeline.Orchestrators.Count == 1)
            await pipeline.StartOrchestratorAsync();
        var storm = await Task.WhenAll(
            Enumerable.Range(1, 10).Select(i => pipeline.TriggerAsync(Drift(HeldRuns.Storm, champion, $"feature_{i}")))
                .Concat(Enumerable.Range(1, 3).Select(i => pipeline.TriggerAsync(new PipelineRequested
                {
                    ModelName = HeldRuns.Storm, Environment = "dev", Principal = $"operator{i}",
                }))));
        foreach (var trigger in storm)
            Assert.Equal(("recorded", first.CorrelationId), Recorded(await pipeline.AdmittedAsync(trigger)));
        foreach (var code in new[] { "c3", "c4" })
        {
            var release = await pipeline.TriggerAsync(new TrainingCodeReleased
            {
                ModelName = HeldRuns.Storm, Environment = "dev", Principal = "ci", CodeVersion = code, Trainer = "external",
            });
            Assert.Equal(("recorded", first.CorrelationId), Recorded(await pipeline.AdmittedAsync(release)));
        }

        await pipeline.ReleaseAsync(first);
        await pipeline.RunAsync(first.CorrelationId, "Completed");

        var followUp = await pipeline.FollowUpOfAsync(first.CorrelationId);
        Assert.Equal("started", followUp.Disposition);
        Assert.Contains("10 drift_detected (the latest: ", followUp.Detail);
        Assert.Contains("3 manual (the latest: requested by operator", followUp.Detail);
        Assert.Contains("training_code_released (code c4 (external) released by ci)", followUp.Detail);
        Assert.EndsWith("; not applying: code c3 was replaced by code c4", followUp.Detail);
        var second = await pipeline.RunAsync(followUp.RunId!.Value, "RefreshingFeatures");
        Assert.Equal("c4", second.CodeVersion);
        Assert.Equal(2L, await pipeline.RunCountAsync(HeldRuns.Storm));
        Assert.Single(await pipeline.TriggersOfAsync(HeldRuns.Storm), t => t.Kind == "follow_up");
    }

    [Fact]
    public async Task Alerts_on_a_version_that_is_no_longer_champion_start_no_follow_up_and_the_trail_says_why()
    {
        var measured = await pipeline.PromoteNewVersionAsync(HeldRuns.Stale);
        var first = await StartHeldRunAsync(HeldRuns.Stale);
        var alert = await pipeline.TriggerAsync(Drift(HeldRuns.Stale, measured, "tenure_months"));
        Assert.Equal(("recorded", first.CorrelationId), Recorded(await pipeline.AdmittedAsync(alert)));
        var champion = await pipeline.PromoteNewVersionAsync(HeldRuns.Stale);

        await pipeline.ReleaseAsync(first);
        await pipeline.RunAsync(first.CorrelationId, "Completed");

        var followUp = await pipeline.FollowUpOfAsync(first.CorrelationId);
        Assert.Equal(("follow_up", "ignored", null), (followUp.Kind, followUp.Disposition, followUp.RunId));
        Assert.Equal($"No follow-up of run {first.CorrelationId}, which ended Completed: none of the 1 trigger(s) recorded on it still applies: " +
                     $"the drift_detected alert on version {measured} is stale: version {champion} is the champion now.", followUp.Detail);
        Assert.Equal(1L, await pipeline.RunCountAsync(HeldRuns.Stale));
    }

    private async Task<Orchestrator.Sagas.DeployCodePipelineState> StartHeldRunAsync(string model)
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = model, Environment = "dev", Principal = "alice",
        }));
        return await pipeline.RunAsync(runId, "RefreshingFeatures");
    }

    private static (string, Guid?) Recorded(IReadOnlyList<TriggerRow> admitted)
    {
        var row = Assert.Single(admitted);
        return (row.Disposition, row.RunId);
    }

    private static DriftDetected Drift(string model, int version, string feature) => new()
    {
        ModelName = model, Environment = "dev", Principal = "monitoring", ModelVersion = version, Feature = feature, Metric = "psi", Value = 0.31,
        Threshold = 0.2, WindowStart = new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2025, 6, 1, 11, 0, 0, TimeSpan.Zero),
        WindowsBreached = 3, WindowsConsidered = 4,
    };
}
