namespace Mlops.Training.Trainers.External;

/// <summary>What a sweep of trainer work directories did (<see cref="TrainerWorkDirectories.Sweep"/>).</summary>
public sealed class SweepResult
{
    /// <summary>Stale directories removed.</summary>
    public List<string> Removed { get; } = [];

    /// <summary>Stale directories that could not be removed, and why.</summary>
    public List<(string Directory, Exception Exception)> Failed { get; } = [];

    /// <summary>Directories of a Training that still runs, left alone.</summary>
    public int Kept { get; set; }

    /// <summary>Processes of orphaned trainers killed.</summary>
    public int ProcessesKilled { get; set; }
}
