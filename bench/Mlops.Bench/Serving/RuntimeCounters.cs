using System.Diagnostics;
using System.Globalization;

namespace Mlops.Bench.Serving;

/// <summary>
/// What the runtime of a process P5 measures did over a window, from <c>dotnet-counters collect</c> (System.Runtime, one sample a
/// second): bytes allocated, collections, time paused for GC, lock contentions, CPU, time spent compiling (JIT), and the largest thread-pool queue seen. Rates
/// are summed over the samples (each covers one second), so they are totals for the window.
/// </summary>
public sealed record RuntimeCounters(double AllocatedBytes, double Gen0, double Gen1, double Gen2, double PauseSeconds, double LockContentions,
    double CpuSeconds, double JitSeconds, double MaxQueueLength, double Seconds)
{
    /// <summary>Collects for <paramref name="seconds"/> s; null when dotnet-counters is not installed or wrote nothing.</summary>
    public static async Task<RuntimeCounters?> CollectAsync(int processId, int seconds)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-counters");
        if (!File.Exists(tool))
            return null;
        var file = Path.Combine(Path.GetTempPath(), $"mlops-bench-counters-{processId}-{Guid.NewGuid():N}.csv");
        var start = new ProcessStartInfo(tool, ["collect", "-p", processId.ToString(CultureInfo.InvariantCulture), "--counters", "System.Runtime",
            "--format", "csv", "--refresh-interval", "1", "--duration", $"00:00:00:{seconds:D2}", "-o", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using (var collect = Process.Start(start)!)
        {
            await collect.StandardOutput.ReadToEndAsync();
            await collect.WaitForExitAsync();
        }
        if (!File.Exists(file))
            return null;
        var lines = await File.ReadAllLinesAsync(file);
        File.Delete(file);

        double Sum(string name, string? tag = null) => Values(lines, name, tag).Sum();
        double Max(string name) => Values(lines, name, null).DefaultIfEmpty(0).Max();
        var samples = lines.Count(l => l.Contains(",dotnet.gc.heap.total_allocated ", StringComparison.Ordinal));
        return samples == 0 ? null : new RuntimeCounters(
            Sum("dotnet.gc.heap.total_allocated"),
            Sum("dotnet.gc.collections", "gen0"), Sum("dotnet.gc.collections", "gen1"), Sum("dotnet.gc.collections", "gen2"),
            Sum("dotnet.gc.pause.time"), Sum("dotnet.monitor.lock_contentions"), Sum("dotnet.process.cpu.time"), Sum("dotnet.jit.compilation.time"),
            Max("dotnet.thread_pool.queue.length"), samples);
    }

    // A CSV row: Timestamp,Provider,Counter Name (unit)[tags],Counter Type,Mean/Increment.
    private static IEnumerable<double> Values(string[] lines, string name, string? tag)
    {
        foreach (var line in lines)
        {
            var fields = line.Split(',');
            if (fields.Length < 5 || !fields[2].StartsWith(name + " ", StringComparison.Ordinal))
                continue;
            if (tag is not null && !fields[2].Contains($"={tag}]", StringComparison.Ordinal))
                continue;
            if (double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                yield return value;
        }
    }
}
