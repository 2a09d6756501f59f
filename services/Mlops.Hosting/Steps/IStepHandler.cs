namespace Mlops.Hosting.Steps;

/// <summary>
/// The work of one leased step. <see cref="RunAsync"/> runs with no transaction and no unacknowledged message open, for as
/// long as it takes (the worker keeps the lease alive); it may read, but writes nothing: what it returns is committed once,
/// together with the lease's completion. The same command may run again after a crash, so the work must be repeatable.
/// </summary>
public interface IStepHandler<in TCommand>
    where TCommand : class
{
    Task<StepCommit> RunAsync(TCommand command, CancellationToken cancellationToken);
}
