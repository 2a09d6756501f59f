using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_the_orchestrator_was_down_when_a_schedule_came_due(ScheduledPipeline pipeline) : IClassFixture<ScheduledPipeline>
{
    [Fact]
    public async Task The_missed_occurrences_fire_once_at_start_up_and_never_again_after_a_restart()
    {
        Assert.Equal(new DateTime(2030, 1, 1, 12, 0, 0), await pipeline.LastOccurrenceAsync());
        await pipeline.StopOrchestratorsAsync();

        pipeline.Clock.Set(ScheduledPipeline.Start.AddMinutes(3));
        await pipeline.StartOrchestratorAsync();

        var caughtUp = Assert.Single(await Eventually.WaitAsync(pipeline.ScheduleTriggersAsync, t => t.Count > 0, "the schedule's trigger"));
        Assert.Equal(("started",
                "schedule '* * * * *' (UTC) came due at 2030-01-01 12:03Z; " +
                "the occurrences since 2030-01-01 12:01Z were missed while no orchestrator ran and fold into this one"),
            (caughtUp.Disposition, caughtUp.Detail));
        Assert.Equal(new DateTime(2030, 1, 1, 12, 3, 0), await pipeline.LastOccurrenceAsync());

        await pipeline.StopOrchestratorsAsync();
        await pipeline.StartOrchestratorAsync();

        Assert.Empty(await pipeline.LookAgainAsync());
        Assert.Equal(1L, await pipeline.PublishedAsync());
        Assert.Equal([caughtUp], await pipeline.ScheduleTriggersAsync());
    }
}
