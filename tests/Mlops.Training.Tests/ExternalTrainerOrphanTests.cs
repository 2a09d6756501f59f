using Mlops.Testing;
using Mlops.Training.Trainers.External;
using Xunit;

namespace Mlops.Training.Tests;

/// <summary>
/// A Training process killed with -9 while an external trainer runs. The trainer's watchdog sees its service's end of stdin
/// close and kills the trainer at once; the work directory is left, and the next Training to start on the host removes it.
/// Should the watchdog be gone too, the trainer (in a session of its own) runs on, and that next Training kills it. Either
/// way the directory of a Training that still runs is left alone.
/// </summary>
public sealed class When_training_is_killed_while_a_trainer_runs(ExternalTrainerEnvironment environment) : IClassFixture<ExternalTrainerEnvironment>
{
    [Fact]
    public async Task The_trainer_dies_with_it_and_the_next_training_removes_its_work_directory_but_not_a_running_training_s()
    {
        await using var service = await StartServiceAsync();
        var (trainer, child, parent, work) = await TrainerAsync();
        var session = OwnerProcess.Of(WatchdogOf(parent));
        try
        {
            service.Kill();

            // Nothing started since: the watchdog alone kills timeout, the trainer and its child.
            await GoneAsync(parent, trainer, child);
            Assert.True(Directory.Exists(work));
            var running = RunningTrainingDirectory();

            environment.Training = await environment.StartTrainingAsync("training-after-kill");

            Assert.False(Directory.Exists(work), $"{work} is still there");
            Assert.True(Directory.Exists(running), $"{running} of a running Training was swept");
        }
        finally
        {
            // Whatever failed, no trainer of this test outlives it.
            session?.KillSession();
        }
    }

    [Fact]
    public async Task A_trainer_whose_watchdog_died_too_is_killed_by_the_next_training()
    {
        await using var service = await StartServiceAsync();
        var (trainer, child, parent, work) = await TrainerAsync();
        var session = OwnerProcess.Of(WatchdogOf(parent));
        try
        {
            // The watchdog shell and its reader are killed first: nothing is left to notice the service's death.
            var shell = WatchdogOf(parent);
            foreach (var pid in ChildrenOf(shell).Where(pid => pid != parent).Append(shell))
                Kill(pid);
            service.Kill();

            foreach (var pid in new[] { parent, trainer, child })
                Assert.True(TrainerProcesses.IsAlive(TrainerProcesses.State(pid)), $"process {pid} ended with its service");
            Assert.True(Directory.Exists(work));

            environment.Training = await environment.StartTrainingAsync("training-after-watchdog");

            await GoneAsync(parent, trainer, child);
            Assert.False(Directory.Exists(work), $"{work} is still there");
        }
        finally
        {
            session?.KillSession();
        }
    }

    /// <summary>Training as a process of its own (the fixture's in-process instance stopped), ready.</summary>
    private async Task<ServiceProcess> StartServiceAsync()
    {
        await environment.Training.StopQuietlyAsync();
        // The trainers reported so far are gone with their services: only those started from now on count.
        foreach (var file in Directory.GetFiles(environment.PidDirectory, "*.pids"))
            File.Delete(file);
        var settings = environment.Settings("training").Concat(environment.InstanceSettings()).Where(s => s.Value is not null)
            .GroupBy(s => s.Key).ToDictionary(g => g.Key.Replace(":", "__", StringComparison.Ordinal), g => g.Last().Value!);
        var logs = Directory.CreateDirectory(Path.Combine(BuiltServices.RepositoryRoot, "artifacts", "training-tests", environment.VirtualHost)).FullName;
        var service = new ServiceProcess("Training", BuiltServices.Directory("Training"), ServiceProcess.FreePort(), settings, logs);
        service.Start();
        await service.WaitReadyAsync();
        return service;
    }

    /// <summary>Starts a scripted_hang training and waits for the service's trainer to report its pids and work directory.</summary>
    private async Task<(int Trainer, int Child, int Parent, string Work)> TrainerAsync()
    {
        await environment.PublishAsync(environment.ExternalCommand(Guid.NewGuid(), "scripted_hang"));
        var files = await Eventually.WaitAsync(() => Task.FromResult(Directory.GetFiles(environment.PidDirectory, "*.pids")),
            found => found.Length > 0, "the trainer to start");
        var fields = (await File.ReadAllTextAsync(files[0])).Split(' ', 4);
        var (trainer, child, parent, work) = (int.Parse(fields[0]), int.Parse(fields[1]), int.Parse(fields[2]), fields[3]);

        // timeout stands between the watchdog's shell and the trainer; the work directory records the watchdog's session.
        Assert.Equal("timeout", File.ReadAllText($"/proc/{parent}/comm").Trim());
        var shell = WatchdogOf(parent);
        Assert.Equal(shell.ToString(), File.ReadAllText(Path.Combine(work, TrainerWorkDirectories.TrainerFile)).Split(' ')[0]);
        return (trainer, child, parent, work);
    }

    /// <summary>A directory of a Training that runs (this test's own process): no sweep may touch it.</summary>
    private string RunningTrainingDirectory() =>
        Directory.CreateDirectory(Path.Combine(environment.WorkDirectory, TrainerWorkDirectories.NewName("scripted"))).FullName;

    private static Task GoneAsync(params int[] pids) => Task.WhenAll(pids.Select(pid =>
        Eventually.WaitAsync(() => Task.FromResult(TrainerProcesses.State(pid)), state => !TrainerProcesses.IsAlive(state), $"process {pid} to be killed")));

    /// <summary>The watchdog's shell: timeout's parent.</summary>
    private static int WatchdogOf(int timeout) => Field(timeout, 1);

    private static IEnumerable<int> ChildrenOf(int pid) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(int.Parse!)
            .Where(candidate => TrainerProcesses.IsAlive(TrainerProcesses.State(candidate)) && Field(candidate, 1) == pid).ToList();

    /// <summary>A numeric field of /proc/&lt;pid&gt;/stat counted after the command name (0 is the state, 1 the parent), or 0.</summary>
    private static int Field(int pid, int index)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[index]);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static void Kill(int pid)
    {
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        process.Kill();
    }
}
