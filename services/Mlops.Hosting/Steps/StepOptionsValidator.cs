using Microsoft.Extensions.Options;

namespace Mlops.Hosting.Steps;

/// <summary>The rules between the step timings, each failure naming the setting to change.</summary>
public sealed class StepOptionsValidator : IValidateOptions<StepOptions>
{
    public ValidateOptionsResult Validate(string? name, StepOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseDuration <= TimeSpan.Zero)
            failures.Add("Steps:LeaseDuration must be positive.");
        if (options.HeartbeatInterval <= TimeSpan.Zero || options.HeartbeatInterval * 2 > options.LeaseDuration)
            failures.Add($"Steps:HeartbeatInterval ({options.HeartbeatInterval}) must be positive and at most half of Steps:LeaseDuration " +
                $"({options.LeaseDuration}), so one late heartbeat does not lose the lease.");
        if (options.PollInterval <= TimeSpan.Zero)
            failures.Add("Steps:PollInterval must be positive.");
        if (options.RetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
            failures.Add("Steps:RetryDelay must be positive and Steps:MaxRetryDelay at least as long.");
        if (options.FinishedRetention <= TimeSpan.Zero)
            failures.Add("Steps:FinishedRetention must be positive.");
        if (options.FaultInjection.ExtraWorkDuration < TimeSpan.Zero)
            failures.Add("Steps:FaultInjection:ExtraWorkDuration cannot be negative (zero, the default, turns it off).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
