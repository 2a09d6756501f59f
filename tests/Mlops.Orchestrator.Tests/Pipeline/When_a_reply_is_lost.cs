using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

[Collection(ShortDeadlines.Collection)]
public sealed class When_a_reply_is_lost(ShortDeadlines pipeline)
{
    [Fact]
    public async Task The_step_deadline_sends_the_command_again_and_the_run_completes()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.LostReply, Environment = "dev", Principal = "alice",
        }));

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut");

        Assert.Equal("Completed", run.CurrentState);
        Assert.Equal(2, pipeline.Workers.Received<TrainModel>(runId).Count);
        Assert.Contains(run.History, h => h.State == "Training" && h.Note.StartsWith("No reply within 00:00:02: published TrainModel again (attempt 2)"));
        Assert.Equal("Completed", (await pipeline.FinishedAsync(runId)).Outcome);
    }
}
