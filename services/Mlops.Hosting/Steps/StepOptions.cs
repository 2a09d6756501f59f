using System.ComponentModel.DataAnnotations;

namespace Mlops.Hosting.Steps;

/// <summary>How long steps hold their leases (section <c>Steps</c>).</summary>
public sealed class StepOptions
{
    public const string Section = "Steps";

    /// <summary>How long a lease lasts without a heartbeat: a worker that died is replaced this long after its last heartbeat.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a working step renews its lease; well under <see cref="LeaseDuration"/>, so a slow database call does not lose it.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle worker looks for leases (it is also woken as soon as this instance records one).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first delay before a step that failed transiently (database, broker) is tried again; it doubles per attempt.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The cap of that delay: transient failures are retried for ever, never more than this far apart.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long finished leases (and the replies they answer a repeated command with) are kept.</summary>
    public TimeSpan FinishedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>For the fault suite only; off by default.</summary>
    [Required]
    public StepFaultInjectionOptions FaultInjection { get; set; } = new();
}
