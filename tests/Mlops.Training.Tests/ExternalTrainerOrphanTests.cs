using Mlops.Testing;
using Mlops.Training.Trainers.External;
using Xunit;

namespace Mlops.Training.Tests;

/// <summary>
/// A Training process killed with -9 while an external trainer runs: the trainer (under coreutils' timeout, in a process group
/// of its own) outlives it, with its work directory. The next Training to start on the host kills that group and removes
/// the directory, and leaves alone the directory of a Training that still runs.
/// </summary>
public sealed class When_training_is_killed_while_a_trainer_runs(ExternalTrainerEnvironment environment) : IClassFixture<ExternalTrainerEnvironment>
{
    [Fact]
    public async Task The_next_training_kills_the_orphaned_trainer_and_removes_its_work_directory_but_not_a_running_training_s()
    {
        // Only the Training process below takes the command.
        await environment.Training.StopQuietlyAsync();
        var settings = environment.Settings("training").Concat(environment.InstanceSettings()).Where(s => s.Value is not null)
            .GroupBy(s => s.Key).ToDictionary(g => g.Key.Replace(":", "__", StringComparison.Ordinal), g => g.Last().Value!);
        var logs = Directory.CreateDirectory(Path.Combine(BuiltServices.RepositoryRoot, "artifacts", "training-tests", environment.VirtualHost)).FullName;
        await using var service = new ServiceProcess("Training", BuiltServices.Directory("Training"), ServiceProcess.FreePort(), settings, logs);
        service.Start();
        await service.WaitReadyAsync();

        // A directory of a Training that runs (this test's own process): no sweep may touch it.
        var running = Directory.CreateDirectory(Path.Combine(environment.WorkDirectory, TrainerWorkDirectories.NewName("scripted"))).FullName;
        await environment.PublishAsync(environment.ExternalCommand(Guid.NewGuid(), "scripted_hang"));
        var (trainer, child, parent, work) = await RunningAsync();
        try
        {
            await SweptAsync(service, trainer, child, parent, work, running);
        }
        finally
        {
            // Whatever failed, no trainer of this test outlives it.
            OwnerProcess.Of(parent)?.KillGroup();
        }
    }

    private async Task SweptAsync(ServiceProcess service, int trainer, int child, int parent, string work, string running)
    {
        Assert.Equal("timeout", File.ReadAllText($"/proc/{parent}/comm").Trim());
        Assert.Equal($"{parent} ", File.ReadAllText(Path.Combine(work, TrainerWorkDirectories.TrainerFile))[..($"{parent} ".Length)]);

        service.Kill();
        // Nothing of the killed service could stop them: the trainer, its child and timeout run on, in the work directory.
        foreach (var pid in new[] { parent, trainer, child })
            Assert.True(TrainerProcesses.IsAlive(TrainerProcesses.State(pid)), $"process {pid} ended with its service");
        Assert.True(Directory.Exists(work));

        environment.Training = await environment.StartTrainingAsync("training-after-kill");

        foreach (var pid in new[] { parent, trainer, child })
            await Eventually.WaitAsync(() => Task.FromResult(TrainerProcesses.State(pid)), state => !TrainerProcesses.IsAlive(state), $"process {pid} to be killed");
        Assert.False(Directory.Exists(work), $"{work} is still there");
        Assert.True(Directory.Exists(running), $"{running} of a running Training was swept");
    }

    /// <summary>Waits for the scripted_hang trainer to report its pid, its child's, its parent's and its work directory.</summary>
    private async Task<(int Trainer, int Child, int Parent, string Work)> RunningAsync()
    {
        var file = (await Eventually.WaitAsync(() => Task.FromResult(Directory.GetFiles(environment.PidDirectory, "*.pids")),
            found => found.Length > 0, "the trainer to start")).Single();
        var fields = (await File.ReadAllTextAsync(file)).Split(' ', 4);
        return (int.Parse(fields[0]), int.Parse(fields[1]), int.Parse(fields[2]), fields[3]);
    }
}
