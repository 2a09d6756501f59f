using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_an_approval_is_left_waiting : IAsyncLifetime
{
    private PipelineHarness? _pipeline;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_approvers_are_reminded_before_the_deadline_and_the_run_ends_Rejected_at_it()
    {
        _pipeline = await PipelineHarness.StartAsync(t => t.AwaitingApproval = TimeSpan.FromMilliseconds(1500),
            o => o.ApprovalReminderBefore = TimeSpan.FromMilliseconds(1000));
        var runId = await _pipeline.StartRunAsync(requireApproval: true);
        await _pipeline.AdvanceAsync(runId, m => m.AwaitingApproval);
        var deadline = _pipeline.Saga.Sagas.Contains(runId).StepDeadlineAt;

        var reminder = Assert.Single(await _pipeline.WaitForPublishedAsync<ApprovalDeadlineApproaching>(runId, m => m.CorrelationId, 1));
        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));

        var run = await _pipeline.WaitForAsync(runId, m => m.Rejected);
        Assert.Equal((Messages.ModelVersion, deadline), (reminder.Version, (DateTimeOffset?)reminder.DeadlineAt));
        Assert.Equal(("Rejected", run.FailureReason), (finished.Outcome, finished.Reason));
        Assert.StartsWith($"Approval expired: nobody approved or denied the promotion of version {Messages.ModelVersion} within 00:00:01.5000000", run.FailureReason);
        Assert.Single(_pipeline.Published<ApprovalRequested>(runId, m => m.CorrelationId));
        Assert.Empty(_pipeline.Published<PromoteModel>(runId, m => m.CorrelationId));
        Assert.Contains(run.History, h => h.State == "AwaitingApproval" && h.Note.StartsWith("Reminded the approvers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_approval_after_the_reminder_still_promotes()
    {
        _pipeline = await PipelineHarness.StartAsync(t => t.AwaitingApproval = TimeSpan.FromSeconds(30),
            o => o.ApprovalReminderBefore = TimeSpan.FromMilliseconds(29_700));
        var runId = await _pipeline.StartRunAsync(requireApproval: true);
        await _pipeline.AdvanceAsync(runId, m => m.AwaitingApproval);
        await _pipeline.WaitForPublishedAsync<ApprovalDeadlineApproaching>(runId, m => m.CorrelationId, 1);

        await _pipeline.PublishAsync(Messages.Approved(runId));

        var run = await _pipeline.WaitForAsync(runId, m => m.Promoting);
        Assert.Equal("bob", run.ApprovedBy);
    }

    [Fact]
    public async Task Without_a_reminder_the_deadline_alone_ends_it()
    {
        _pipeline = await PipelineHarness.StartAsync(t => t.AwaitingApproval = TimeSpan.FromMilliseconds(500), o => o.ApprovalReminderBefore = TimeSpan.Zero);
        var runId = await _pipeline.StartRunAsync(requireApproval: true);
        await _pipeline.AdvanceAsync(runId, m => m.AwaitingApproval);

        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));

        Assert.Equal("Rejected", finished.Outcome);
        Assert.StartsWith("Approval expired", finished.Reason);
        Assert.Empty(_pipeline.Published<ApprovalDeadlineApproaching>(runId, m => m.CorrelationId));
    }

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
            await _pipeline.DisposeAsync();
    }
}
