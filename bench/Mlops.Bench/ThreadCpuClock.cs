using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mlops.Bench;

/// <summary>
/// The CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID; the process's elsewhere): on a machine shared with
/// other work, a single-threaded measure's CPU time is steadier than its wall time, which counts the time others ran.
/// Python's time.thread_time() reads the same clock, so both sides of a ratio are timed alike.
/// </summary>
public static class ThreadCpuClock
{
    private const int ThreadCpuTimeClock = 3;

    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuTimeClock, out var time) == 0)
            return time.Seconds + time.Nanoseconds * 1e-9;
        return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The (wall, CPU) seconds an action takes.</summary>
    public static (double Wall, double Cpu) Time(Action action)
    {
        var cpu = Seconds();
        var watch = Stopwatch.StartNew();
        action();
        return (watch.Elapsed.TotalSeconds, Seconds() - cpu);
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
