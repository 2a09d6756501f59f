using Mlops.Testing;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_an_external_trainer_runs_long(ExternalTrainerEnvironment environment) : IClassFixture<ExternalTrainerEnvironment>
{
    [Fact]
    public async Task Nothing_is_held_open_while_it_runs_and_stopping_the_service_kills_it()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "scripted_hang"));
        var (trainer, child, parent, work) = await RunningAsync(seen: []);
        // coreutils' timeout stands between the service and the trainer, to kill it at its limit even after a kill -9 of the service.
        Assert.Equal("timeout", File.ReadAllText($"/proc/{parent}/comm").Trim());

        // The command was acknowledged when the step was recorded; no transaction stays open while the trainer works.
        for (var sample = 0; sample < 5; sample++)
        {
            Assert.Equal(0, await environment.Broker.QueueDepthAsync(environment.VirtualHost, "train-model"));
            Assert.Equal(0, await environment.Database.ScalarAsync<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start < now() - interval '2 seconds'
                """));
            Assert.Equal("open", (await environment.Database.StepLeaseAsync(runId, "train"))!.Status);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        Assert.True(TrainerProcesses.IsAlive(TrainerProcesses.State(trainer)) && Directory.Exists(work));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(work));

        var stopped = environment.Training;
        environment.Training = await environment.StartTrainingAsync("training-b");
        await stopped.StopQuietlyAsync();

        // The stopping host killed the whole tree, removed the work directory and gave the step back: another instance runs it again.
        foreach (var pid in new[] { parent, trainer, child })
            await Eventually.WaitAsync(() => Task.FromResult(TrainerProcesses.State(pid)), state => !TrainerProcesses.IsAlive(state), $"process {pid} to end");
        Assert.False(Directory.Exists(work), $"{work} is still there");
        var (again, _, _, _) = await RunningAsync(seen: [trainer]);
        Assert.NotEqual(trainer, again);
        var lease = await environment.Database.StepLeaseAsync(runId, "train");
        Assert.Equal(("open", 2), (lease!.Status, lease.Attempt));
        Assert.StartsWith("training-b@", lease.Owner);
        Assert.Empty(environment.Replies(runId));
    }

    /// <summary>Waits for a scripted_hang trainer not in <paramref name="seen"/> to report its pid, its child's, its parent's and its work directory.</summary>
    private async Task<(int Trainer, int Child, int Parent, string Work)> RunningAsync(IReadOnlyCollection<int> seen)
    {
        var files = await Eventually.WaitAsync(() => Task.FromResult(Directory.GetFiles(environment.PidDirectory, "*.pids")),
            found => found.Any(f => !seen.Contains(int.Parse(Path.GetFileNameWithoutExtension(f)))), "the trainer to start");
        var fields = (await File.ReadAllTextAsync(files.First(f => !seen.Contains(int.Parse(Path.GetFileNameWithoutExtension(f)))))).Split(' ', 4);
        return (int.Parse(fields[0]), int.Parse(fields[1]), int.Parse(fields[2]), fields[3]);
    }
}
