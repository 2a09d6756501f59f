using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// A step of the pipeline: the state a run waits in, the command that asks a worker for the work, how long the run
/// waits for the reply, and the deadline schedule, clock and logger the step's activities use.
/// </summary>
public sealed record PipelineStep<TCommand>(
    State State,
    Func<DeployCodePipelineState, TCommand> Command,
    TimeSpan Timeout,
    Schedule<DeployCodePipelineState, PipelineStepTimedOut> Deadline,
    TimeProvider Clock,
    ILogger Logger)
    where TCommand : class
{
    public string Name => State.Name;

    public string CommandName => typeof(TCommand).Name;
}
