using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_an_approval_expires(ApprovalDeadlines pipeline) : IClassFixture<ApprovalDeadlines>
{
    [Fact]
    public async Task The_run_is_reminded_and_then_ends_Rejected_with_the_reason()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Approval, Environment = "dev", Principal = "alice",
        }));

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut", "Cancelled");

        Assert.Equal("Rejected", run.CurrentState);
        Assert.StartsWith("Approval expired: nobody approved or denied the promotion of version", run.FailureReason);
        Assert.Contains("within 00:00:03", run.FailureReason);
        var finished = await pipeline.FinishedAsync(runId);
        Assert.Equal(("Rejected", run.FailureReason), (finished.Outcome, finished.Reason));
        Assert.Empty(pipeline.Workers.Received<PromoteModel>(runId));
        // The reminder and the request went out through the orchestrator's outbox, once each; no deadline is left behind.
        Assert.Equal((1L, 1L), (await OutboxCountAsync(nameof(ApprovalRequested), runId), await OutboxCountAsync(nameof(ApprovalDeadlineApproaching), runId)));
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE correlation_id = @runId AND scheduling_token_id IS NOT NULL AND delivered_at IS NULL", new { runId }));
        var reminded = Assert.Single(run.History, h => h.Note.StartsWith("Reminded the approvers", StringComparison.Ordinal));
        var expired = Assert.Single(run.History, h => h.Note.StartsWith("Approval expired", StringComparison.Ordinal));
        Assert.True(expired.At >= reminded.At, $"expired at {expired.At:O}, reminded at {reminded.At:O}");
    }

    private Task<long> OutboxCountAsync(string messageType, Guid runId) =>
        pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%Mlops.Contracts:' || @messageType || '%' AND body LIKE '%' || @runId || '%'",
            new { messageType, runId = runId.ToString() });
}
