using System.Diagnostics;

namespace Mlops.Bench;

/// <summary>
/// Counts consumed messages for one measurement: first <see cref="WarmUp"/> untimed ones (connections, JIT, first queries),
/// then <c>count</c> timed from the first publish to the last consume.
/// </summary>
public sealed class ArrivalCounter(int count)
{
    public const int WarmUp = 1_000;

    private readonly TaskCompletionSource warmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int received;

    /// <summary>When the last timed message arrived (<see cref="Stopwatch.GetTimestamp"/>), 0 until then.</summary>
    public long DoneAt { get; private set; }

    /// <summary>
    /// The bench process's CPU time (user + system, every thread) over the timed part: divided by the count, the work each
    /// message cost this process, which other processes on a shared machine disturb far less than they do the wall clock.
    /// </summary>
    public TimeSpan ProcessorTime { get; private set; }

    public void Arrived()
    {
        var now = Interlocked.Increment(ref received);
        if (now == WarmUp)
            warmed.TrySetResult();
        else if (now == WarmUp + count)
        {
            DoneAt = Stopwatch.GetTimestamp();
            done.TrySetResult();
        }
    }

    /// <summary>Messages per second; <paramref name="publishRange"/> publishes the messages numbered first .. first + n.</summary>
    public async Task<double> MeasureAsync(Func<int, int, Task> publishRange)
    {
        await publishRange(0, WarmUp);
        await warmed.Task.WaitAsync(TimeSpan.FromMinutes(2));
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await publishRange(WarmUp, count);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var elapsed = watch.Elapsed;
        process.Refresh();
        ProcessorTime = process.TotalProcessorTime - cpu;
        return count / elapsed.TotalSeconds;
    }

    /// <summary>Publishes first .. first + n keeping up to <paramref name="inFlight"/> publishes awaiting their confirm.</summary>
    public static async Task InFlightAsync(int first, int n, int inFlight, Func<int, Task> publish)
    {
        var pending = new List<Task>(inFlight);
        for (var i = first; i < first + n; i++)
        {
            pending.Add(publish(i));
            if (pending.Count == inFlight)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
    }
}
