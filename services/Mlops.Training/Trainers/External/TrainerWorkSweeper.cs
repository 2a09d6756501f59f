namespace Mlops.Training.Trainers.External;

/// <summary>
/// At start, before any training: kills the trainers a killed Training left running and removes their work directories
/// (<see cref="TrainerWorkDirectories"/>). Directories of a Training that still runs on this host are left to it.
/// </summary>
public sealed partial class TrainerWorkSweeper(ExternalTrainerRunner runner, ILogger<TrainerWorkSweeper> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var root = runner.WorkRoot();
        var result = TrainerWorkDirectories.Sweep(root);
        if (result.Removed.Count > 0 || result.ProcessesKilled > 0)
            LogSwept(result.Removed.Count, result.ProcessesKilled, root, result.Kept);
        foreach (var (directory, exception) in result.Failed)
            LogNotRemoved(exception, directory);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Removed {Removed} work directories of killed trainings under {Root} and killed {Killed} trainer processes they left running ({Kept} of running trainings kept)")]
    private partial void LogSwept(int removed, int killed, string root, int kept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stale work directory {WorkDirectory} could not be removed")]
    private partial void LogNotRemoved(Exception exception, string workDirectory);
}
