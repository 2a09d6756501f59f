using Mlops.Testing;

namespace Mlops.Training.Tests;

/// <summary>
/// The training world with a deliberately slow trainer (the fault-injection knob adds seconds to every leased step) and a
/// lease far shorter than the work, so only heartbeats keep it: two workers per instance would each take an expired lease.
/// </summary>
public sealed class SlowTrainingEnvironment : TrainingEnvironment
{
    public static readonly TimeSpan ExtraWork = TimeSpan.FromSeconds(6);

    protected override IDictionary<string, string?> StepSettings() => new Dictionary<string, string?>
    {
        ["Training:MaxConcurrentTrainings"] = "2",
        ["Steps:FaultInjection:ExtraWorkDuration"] = ExtraWork.ToString(),
        ["Steps:LeaseDuration"] = "00:00:01.500",
        ["Steps:HeartbeatInterval"] = "00:00:00.200",
        ["Steps:PollInterval"] = "00:00:00.200",
        ["Steps:RetryDelay"] = "00:00:00.100",
    };

    public Task<StepLeaseRow?> LeaseAsync(Guid runId) => Database.StepLeaseAsync(runId, "train");

    public Task<StepLeaseRow?> WorkingAsync(Guid runId) => Database.StepWorkingAsync(runId, "train");

    public Task<long> VersionsAsync(Guid runId) =>
        Database.ScalarAsync<long>("SELECT count(*) FROM registry.model_versions WHERE pipeline_run_id = @runId", new { runId });

    public Task<long> TrackingRunsAsync(Guid runId) =>
        Database.ScalarAsync<long>("SELECT count(*) FROM tracking.runs WHERE pipeline_run_id = @runId", new { runId });
}
