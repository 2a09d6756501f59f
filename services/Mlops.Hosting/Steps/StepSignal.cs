namespace Mlops.Hosting.Steps;

/// <summary>Wakes every idle step worker of this instance as soon as a recorded lease commits, instead of at its next poll.</summary>
public sealed class StepSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>: take it before looking for work, so a notice in between is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
