namespace Mlops.Hosting.Steps;

/// <summary>
/// Faults the fault suite injects into leased steps (section <c>Steps:FaultInjection</c>). OFF BY DEFAULT: leave these unset
/// outside fault tests.
/// </summary>
public sealed class StepFaultInjectionOptions
{
    /// <summary>
    /// Extra time every leased step works (heartbeating, after its own work and before it commits), so a test can run a
    /// deliberately slow trainer past a short consumer_timeout or kill a worker mid-step. Zero (the default) adds nothing.
    /// </summary>
    public TimeSpan ExtraWorkDuration { get; set; } = TimeSpan.Zero;
}
