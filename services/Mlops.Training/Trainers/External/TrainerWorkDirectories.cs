using System.Text.RegularExpressions;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// The work directories of external trainers, and the sweep of those a killed Training left. Each is named
/// <c>&lt;trainer&gt;-&lt;pid&gt;-&lt;start ticks&gt;-&lt;guid&gt;</c> after the Training process that made it, from the moment it exists, and
/// holds <see cref="TrainerFile"/> naming the trainer's session once the trainer started. A directory whose owner no
/// longer runs is stale: what still runs of its trainer is killed (its watchdog kills it when Training dies, but a trainer
/// without one, or whose watchdog was killed too, outlives a kill -9 of its Training by up to its time limit plus a minute)
/// and the directory removed. A directory of a live Training (this one or another on the same host) is left alone.
/// </summary>
public static partial class TrainerWorkDirectories
{
    /// <summary>In the work directory: "&lt;pid&gt; &lt;start ticks&gt;" of the process that leads the trainer's session (or process group).</summary>
    public const string TrainerFile = ".trainer-process";

    /// <summary>A new directory's name for <paramref name="trainer"/>, owned by this process (no owner part off Linux).</summary>
    public static string NewName(string trainer) =>
        OwnerProcess.Current is { } owner ? $"{trainer}-{owner}-{Guid.NewGuid():N}" : $"{trainer}-{Guid.NewGuid():N}";

    /// <summary>Records the session (or process group) of the trainer running in <paramref name="work"/>, for a later sweep.</summary>
    public static void RecordTrainer(string work, int groupLeader)
    {
        if (OwnerProcess.Of(groupLeader) is not { } leader)
            return;
        try
        {
            File.WriteAllText(Path.Combine(work, TrainerFile), $"{leader.Pid} {leader.StartTicks}");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Only a later sweep needs it; the trainer must run (and be killed by this service at its limit) all the same.
        }
    }

    /// <summary>
    /// Kills the trainers of every stale directory under <paramref name="root"/> and removes the directories. Directories not
    /// named as this class names them are not touched.
    /// </summary>
    public static SweepResult Sweep(string root)
    {
        var result = new SweepResult();
        if (OwnerProcess.Current is null || !Directory.Exists(root))
            return result;
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var match = OwnedName().Match(Path.GetFileName(directory));
            if (!match.Success || !OwnerProcess.TryParse(match.Groups["pid"].Value, match.Groups["start"].Value, out var owner))
                continue;
            if (owner.IsAlive)
            {
                result.Kept++;
                continue;
            }
            if (Trainer(directory) is { } trainer)
                result.ProcessesKilled += trainer.KillSession();
            try
            {
                Directory.Delete(directory, recursive: true);
                result.Removed.Add(directory);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                result.Failed.Add((directory, exception));
            }
        }
        return result;
    }

    private static OwnerProcess? Trainer(string directory)
    {
        try
        {
            var fields = File.ReadAllText(Path.Combine(directory, TrainerFile)).Split(' ');
            return fields.Length == 2 && OwnerProcess.TryParse(fields[0], fields[1], out var trainer) ? trainer : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Killed before its trainer started: nothing runs there.
            return null;
        }
    }

    [GeneratedRegex("^.+-(?<pid>[0-9]+)-(?<start>[0-9]+)-[0-9a-f]{32}$")]
    private static partial Regex OwnedName();
}
