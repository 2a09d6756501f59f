using System.Text.Json;

namespace Mlops.Testing;

/// <summary>Reading and planting rows of steps.step_leases: what a leased step looks like from the database.</summary>
public static class StepLeases
{
    public static async Task<StepLeaseRow?> StepLeaseAsync(this TestDatabase database, Guid runId, string step) =>
        (await database.QueryAsync<StepLeaseRow>(
            "SELECT status AS Status, owner AS Owner, attempt AS Attempt FROM steps.step_leases WHERE pipeline_run_id = @runId AND step = @step",
            new { runId, step })).SingleOrDefault();

    /// <summary>Waits until a worker has taken the run's step and is working on it.</summary>
    public static Task<StepLeaseRow?> StepWorkingAsync(this TestDatabase database, Guid runId, string step) =>
        Eventually.WaitAsync(() => database.StepLeaseAsync(runId, step), lease => lease is { Status: "open", Owner: not null },
            $"step {step} of run {runId} taken by a worker");

    /// <summary>
    /// Plants the lease of a worker that took <paramref name="command"/>'s step (attempt 1) and whose lease runs out
    /// <paramref name="expiresIn"/> from now (negative: it died that long ago).
    /// </summary>
    public static Task PlantStepLeaseAsync<TCommand>(this TestDatabase database, Guid runId, string step, TCommand command, string owner, TimeSpan expiresIn) =>
        database.ExecuteAsync("""
            INSERT INTO steps.step_leases (pipeline_run_id, step, command_type, command, owner, attempt, heartbeat_at, expires_at)
            VALUES (@runId, @step, @commandType, @command, @owner, 1, now() + make_interval(secs => @seconds) - interval '10 seconds',
                    now() + make_interval(secs => @seconds))
            """, new
        {
            runId, step, owner, seconds = expiresIn.TotalSeconds,
            commandType = $"{typeof(TCommand).FullName}, {typeof(TCommand).Assembly.GetName().Name}",
            command = JsonSerializer.Serialize(command),
        });
}
