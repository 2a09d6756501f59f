using System.Globalization;
using System.Runtime.InteropServices;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// A process as Linux names it for good: its pid and its start time (clock ticks since boot, field 22 of /proc/&lt;pid&gt;/stat),
/// so a pid the kernel reused for another process is never taken for the one recorded. Null where there is no /proc.
/// </summary>
public readonly record struct OwnerProcess(int Pid, long StartTicks)
{
    private const int SigKill = 9;

    /// <summary>This process, or null off Linux.</summary>
    public static OwnerProcess? Current { get; } = Of(Environment.ProcessId);

    /// <summary>The process running now under <paramref name="pid"/>, or null when there is none (or no /proc).</summary>
    public static OwnerProcess? Of(int pid) => Stat(pid) is { } stat ? new OwnerProcess(pid, stat.StartTicks) : null;

    /// <summary>Whether this very process still runs (a zombie does not: it only waits to be reaped).</summary>
    public bool IsAlive => Stat(Pid) is { } stat && stat.StartTicks == StartTicks && stat.State is not ('Z' or 'X');

    public override string ToString() => $"{Pid.ToString(CultureInfo.InvariantCulture)}-{StartTicks.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string? pid, string? startTicks, out OwnerProcess owner)
    {
        owner = default;
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p <= 0
            || !long.TryParse(startTicks, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            return false;
        owner = new OwnerProcess(p, s);
        return true;
    }

    /// <summary>
    /// SIGKILL to every process of the session or process group this process leads, the leader included: the session setsid
    /// made for a trainer's watchdog (timeout's own group is inside it), or without setsid the group coreutils' timeout made.
    /// Members are found in /proc, whether their leader still runs or not, as long as they started after it; nothing is
    /// killed when another process holds the leader's pid (the id was reused: its session is another's). Returns how many
    /// were signalled.
    /// </summary>
    public int KillSession()
    {
        var killed = 0;
        // init's session, or this very process's, is never a trainer's: a record naming it is wrong, not an order.
        if (Pid <= 1 || Pid == Environment.ProcessId)
            return killed;
        // Its pid held by a process started at another time: the id was reused, and its session is someone else's.
        if (Stat(Pid) is { } leader && leader.StartTicks != StartTicks)
            return killed;
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Stat(pid) is not { } stat || (stat.Session != Pid && stat.Group != Pid) || stat.StartTicks < StartTicks || stat.State is 'Z' or 'X')
                continue;
            if (kill(pid, SigKill) == 0)
                killed++;
        }
        return killed;
    }

    private static (char State, int Group, int Session, long StartTicks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so fields are counted after its last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 19
            && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var group)
            && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var session)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (fields[0][0], group, session, start)
            : null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
