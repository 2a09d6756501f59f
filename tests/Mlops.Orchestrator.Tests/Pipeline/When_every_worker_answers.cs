using System.Diagnostics;
using Mlops.Contracts;
using Mlops.Hosting.Telemetry;
using Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

[Collection(ShortDeadlines.Collection)]
public sealed class When_every_worker_answers(ShortDeadlines pipeline)
{
    [Fact]
    public async Task A_run_goes_through_every_step_to_Completed_in_one_trace()
    {
        var trigger = await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Happy, Environment = "dev", Principal = "alice", Reason = "first deployment",
        });

        var runId = await pipeline.StartedRunAsync(trigger);
        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut");

        Assert.Equal("Completed", run.CurrentState);
        Assert.Equal(
            ["Initial", "RefreshingFeatures", "Training", "CheckingCompliance", "Evaluating", "Promoting", "Completed"],
            run.History.Select(h => h.State).Distinct());
        Assert.Equal((FakeWorkerScript.FeatureVersion, FakeWorkerScript.ModelVersion), (run.FeatureVersion, run.ModelVersion));
        Assert.Equal((FakeWorkerScript.Champion, FakeWorkerScript.ModelVersion), (run.ChampionBefore, run.ChampionAfter));
        Assert.All(pipeline.Workers.Received<PromoteModel>(runId), promote => Assert.Equal(FakeWorkerScript.Champion, promote.ExpectedChampionVersion));

        var finished = await pipeline.FinishedAsync(runId);
        Assert.Equal(("Completed", FakeWorkerScript.ModelVersion, FakeWorkerScript.ModelVersion, run.TraceId),
            (finished.Outcome, finished.ModelVersion, finished.ChampionVersion, finished.TraceId));

        // The worker's consumption of the last command and the saga's last transition hang in the trace the run started in.
        var traceId = ActivityTraceId.CreateFromString(run.TraceId);
        await Eventually.WaitAsync(() => Task.FromResult(pipeline.Spans.InTrace(traceId)),
            spans => spans.Any(IsConsumeOf(nameof(PromoteModel))) && spans.Any(s => s.GetTagItem(MlopsTelemetry.StepTag) as string == "Completed"),
            "the promotion and the run's completion in the run's trace");
    }

    [Fact]
    public async Task A_trigger_after_the_run_finished_starts_the_next_run()
    {
        var first = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Request(TestModels.Rerun)));
        await pipeline.RunAsync(first, "Completed");

        var second = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Request(TestModels.Rerun)));

        Assert.NotEqual(first, second);
        Assert.Equal("Completed", (await pipeline.RunAsync(second, "Completed")).CurrentState);
    }

    [Fact]
    public async Task A_run_that_needs_approval_waits_for_it_and_then_completes()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Request(TestModels.Approval)));
        await pipeline.RunAsync(runId, "AwaitingApproval");

        await pipeline.PublishAsync(new PromotionApproved
        {
            CorrelationId = runId, ModelName = TestModels.Approval, Environment = "dev", Principal = "bob", Comment = "ship it",
        });

        var run = await pipeline.RunAsync(runId, "Completed", "TimedOut");
        Assert.Equal(("Completed", "bob"), (run.CurrentState, run.ApprovedBy));
        Assert.All(pipeline.Workers.Received<PromoteModel>(runId), promote => Assert.Equal("bob", promote.Principal));
    }

    private static Func<Activity, bool> IsConsumeOf(string messageType) => span =>
        span.Kind == ActivityKind.Consumer && (span.GetTagItem("messaging.masstransit.message_types") as string ?? span.DisplayName).Contains(messageType);

    private static PipelineRequested Request(string model) => new() { ModelName = model, Environment = "dev", Principal = "alice" };
}
