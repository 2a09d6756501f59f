using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;
using Mlops.Testing;

namespace Mlops.Orchestrator.Tests.StateMachine;

/// <summary>
/// The run saga on MassTransit's in-memory test harness: in-memory saga repository, and the in-memory transport's
/// delayed delivery as the scheduler behind the step deadlines (it cannot cancel, so stale deadlines reach the saga
/// and must be recognised by their token).
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly ServiceProvider _provider;

    private PipelineHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<DeployCodePipelineStateMachine, DeployCodePipelineState>();
    }

    public ITestHarness Harness { get; }

    public ISagaStateMachineTestHarness<DeployCodePipelineStateMachine, DeployCodePipelineState> Saga { get; }

    public DeployCodePipelineStateMachine Machine => Saga.StateMachine;

    /// <summary>Every step waits a minute unless <paramref name="timeouts"/> says otherwise: long enough never to interfere.</summary>
    public static async Task<PipelineHarness> StartAsync(Action<PipelineStepTimeouts>? timeouts = null, Action<PipelineOptions>? configure = null)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .Configure<PipelineOptions>(options =>
            {
                foreach (var property in typeof(PipelineStepTimeouts).GetProperties())
                    property.SetValue(options.StepTimeouts, TimeSpan.FromMinutes(1));
                timeouts?.Invoke(options.StepTimeouts);
                configure?.Invoke(options);
            })
            .AddMassTransitTestHarness(bus =>
                bus.AddSagaStateMachine<DeployCodePipelineStateMachine, DeployCodePipelineState, DeployCodePipelineStateDefinition>());

        var harness = new PipelineHarness(services.BuildServiceProvider(validateScopes: true));
        await harness.Harness.Start();
        return harness;
    }

    public async Task<Guid> StartRunAsync(bool requireApproval = false)
    {
        var runId = NewId.NextGuid();
        await Harness.Bus.Publish(Messages.Start(runId, requireApproval));
        await WaitForAsync(runId, m => m.RefreshingFeatures);
        return runId;
    }

    public Task PublishAsync(object message) => Harness.Bus.Publish(message);

    /// <summary>
    /// Waits for the run to be in a state. The in-memory instance is the live one: the event that moved it may still be
    /// running its last activities (a final state's PipelineRunFinished comes after the transition), so wait for what
    /// those activities publish before asserting on what they change.
    /// </summary>
    public async Task<DeployCodePipelineState> WaitForAsync(Guid runId, Func<DeployCodePipelineStateMachine, State> state)
    {
        var expected = state(Machine);
        if (await Saga.Exists(runId, expected, Patience) is null)
            throw new TimeoutException($"Run {runId} did not reach {expected.Name}; it is {Saga.Sagas.Contains(runId)?.CurrentState ?? "missing"}.");
        return Saga.Sagas.Contains(runId);
    }

    /// <summary>Publishes the successful reply of each step until the run is in <paramref name="target"/>.</summary>
    public async Task<DeployCodePipelineState> AdvanceAsync(Guid runId, Func<DeployCodePipelineStateMachine, State> target)
    {
        var goal = target(Machine).Name;
        var run = Saga.Sagas.Contains(runId);
        while (run.CurrentState != goal)
        {
            var step = run.CurrentState;
            await PublishAsync(SuccessfulReply(step, runId));
            run = await Eventually.WaitAsync(() => Task.FromResult(Saga.Sagas.Contains(runId)), r => r.CurrentState != step,
                $"run {runId} to leave {step}", Patience);
        }
        return run;
    }

    private static object SuccessfulReply(string? step, Guid runId) => step switch
    {
        nameof(DeployCodePipelineStateMachine.RefreshingFeatures) => Messages.Refreshed(runId),
        nameof(DeployCodePipelineStateMachine.Training) => Messages.Registered(runId),
        nameof(DeployCodePipelineStateMachine.CheckingCompliance) => Messages.CompliancePassed(runId),
        nameof(DeployCodePipelineStateMachine.Evaluating) => Messages.Evaluated(runId, promote: true),
        nameof(DeployCodePipelineStateMachine.AwaitingApproval) => Messages.Approved(runId),
        nameof(DeployCodePipelineStateMachine.Promoting) => Messages.Promoted(runId),
        _ => throw new InvalidOperationException($"Run {runId} is {step}: no reply moves it on."),
    };

    /// <summary>Messages of a type published so far, without waiting for more (a cancelled token stops the harness list from waiting).</summary>
    public IReadOnlyList<T> Published<T>(Guid runId, Func<T, Guid> runOf)
        where T : class =>
        Harness.Published.Select<T>(new CancellationToken(canceled: true))
            .Select(m => m.Context.Message)
            .Where(m => runOf(m) == runId)
            .ToList();

    public Task<IReadOnlyList<T>> WaitForPublishedAsync<T>(Guid runId, Func<T, Guid> runOf, int count)
        where T : class =>
        Eventually.WaitAsync(() => Task.FromResult(Published(runId, runOf)), list => list.Count >= count,
            $"{count} {typeof(T).Name} of run {runId}", Patience);

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
