namespace Mlops.Training.Tests;

/// <summary>What the tests see of a trainer's processes: their state in /proc.</summary>
public static class TrainerProcesses
{
    /// <summary>The process's state letter (R, S, Z, ...), or null when there is no such process.</summary>
    public static string? State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Gone, or a zombie waiting to be reaped (a killed orphan's parent may be a PID 1 that never reaps).</summary>
    public static bool IsAlive(string? state) => state is not (null or "Z" or "X");
}
