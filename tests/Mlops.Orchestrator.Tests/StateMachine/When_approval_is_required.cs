using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_approval_is_required : IAsyncLifetime
{
    private PipelineHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PipelineHarness.StartAsync();

    [Fact]
    public async Task A_better_challenger_waits_for_a_person_with_the_evaluation_in_hand()
    {
        var runId = await _pipeline.StartRunAsync(requireApproval: true);

        await _pipeline.AdvanceAsync(runId, m => m.AwaitingApproval);

        var request = Assert.Single(await _pipeline.WaitForPublishedAsync<ApprovalRequested>(runId, m => m.CorrelationId, 1));
        Assert.Equal(Messages.ModelVersion, request.Version);
        Assert.Contains("beats the champion", request.Summary);
        Assert.Empty(_pipeline.Published<PromoteModel>(runId, m => m.CorrelationId));
    }

    [Fact]
    public async Task An_approval_promotes_in_the_approvers_name()
    {
        var runId = await _pipeline.StartRunAsync(requireApproval: true);
        await _pipeline.AdvanceAsync(runId, m => m.AwaitingApproval);

        await _pipeline.PublishAsync(Messages.Approved(runId));

        var run = await _pipeline.WaitForAsync(runId, m => m.Promoting);
        var promote = Assert.Single(await _pipeline.WaitForPublishedAsync<PromoteModel>(runId, m => m.CorrelationId, 1));
        Assert.Equal(("bob", Messages.Champion), (promote.Principal, promote.ExpectedChampionVersion));
        Assert.Equal("bob", run.ApprovedBy);
    }

    [Fact]
    public async Task A_denial_rejects_the_run_with_the_approvers_reason()
    {
        var runId = await _pipeline.StartRunAsync(requireApproval: true);
        await _pipeline.AdvanceAsync(runId, m => m.AwaitingApproval);

        await _pipeline.PublishAsync(Messages.Denied(runId));

        var run = await _pipeline.WaitForAsync(runId, m => m.Rejected);
        Assert.Equal("Promotion denied by bob: wait for the quarter's close", run.FailureReason);
        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));
        Assert.Equal(("Rejected", run.FailureReason, Messages.Champion), (finished.Outcome, finished.Reason, finished.ChampionVersion));
        Assert.Empty(_pipeline.Published<PromoteModel>(runId, m => m.CorrelationId));
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();
}
