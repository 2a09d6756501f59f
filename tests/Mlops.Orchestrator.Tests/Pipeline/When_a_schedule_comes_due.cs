using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_schedule_comes_due(ScheduledPipeline pipeline) : IClassFixture<ScheduledPipeline>
{
    [Fact]
    public async Task Two_orchestrators_fire_it_once_and_its_run_starts_on_the_latest_batch()
    {
        await pipeline.StartOrchestratorAsync();
        Assert.Equal(new DateTime(2030, 1, 1, 12, 0, 0), await pipeline.LastOccurrenceAsync());
        Assert.Empty(await pipeline.ScheduleTriggersAsync());

        pipeline.Clock.Set(ScheduledPipeline.Start.AddMinutes(1));

        var fired = await Eventually.WaitAsync(pipeline.ScheduleTriggersAsync, t => t.Count > 0, "the schedule's trigger");
        Assert.Empty(await pipeline.LookAgainAsync());
        Assert.Equal(1L, await pipeline.PublishedAsync());
        Assert.Equal(fired, await pipeline.ScheduleTriggersAsync());

        var started = Assert.Single(fired);
        Assert.Equal(("started", "schedule '* * * * *' (UTC) came due at 2030-01-01 12:01Z"), (started.Disposition, started.Detail));
        var run = await pipeline.RunAsync(started.RunId!.Value, "Completed");
        Assert.Equal(("schedule", ScheduledPipeline.EveryMinute, (Guid?)null), (run.Trigger, run.ModelName, run.RawBatchId));
        Assert.Null(Assert.Single(pipeline.Workers.Received<RefreshFeatures>(run.CorrelationId)).RawBatchId);
    }
}
