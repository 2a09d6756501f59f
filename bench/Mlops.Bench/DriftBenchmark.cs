using System.Diagnostics;
using System.Text.Json;
using Mlops.Monitoring.Drift;

namespace Mlops.Bench;

/// <summary>
/// P4: PSI + binned KS + null rate of every feature of a window, through Monitoring's own histogram and metrics, against
/// numpy/scipy computing the same statistics over the same bins (bench/drift_baseline.py) on the same file. Single-threaded
/// on both sides; each side's best of three passes counts. Also the binning alone, before (binary search) and after (grid).
/// </summary>
public static class DriftBenchmark
{
    private const int Passes = 3;

    public static BenchResult Run(int rows, int features, string benchDirectory, string workDirectory)
    {
        var data = DriftData.Generate(rows, features);
        data.WriteTo(workDirectory);

        var ours = new Measured[features];
        Measure(data, ours);
        var seconds = Enumerable.Range(0, Passes).Min(_ => Time(() => Measure(data, ours)));
        var (gridNs, searchNs) = BinningCosts(data);
        var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

        var baseline = Baseline(benchDirectory, workDirectory);
        var theirs = baseline.GetProperty("features").EnumerateArray().Select(f => new Measured(
            f.GetProperty("psi").GetDouble(), f.GetProperty("ks").GetDouble(), f.GetProperty("ks_p").GetDouble(), f.GetProperty("null_rate").GetDouble())).ToArray();
        var difference = ours.Zip(theirs).Max(pair => new[]
        {
            Math.Abs(pair.First.Psi - pair.Second.Psi), Math.Abs(pair.First.Ks - pair.Second.Ks),
            Math.Abs(pair.First.KsP - pair.Second.KsP), Math.Abs(pair.First.NullRate - pair.Second.NullRate),
        }.Max());
        var baselineSeconds = baseline.GetProperty("seconds").GetDouble();

        Console.WriteLine($"P4 drift, {rows:N0} rows x {features} features: Monitoring {seconds:F3} s ({rows / seconds:N0} rows/s, peak {peakMb:N0} MB), " +
            $"numpy/scipy {baselineSeconds:F3} s ({rows / baselineSeconds:N0} rows/s, peak {baseline.GetProperty("peak_mb").GetDouble():N0} MB), " +
            $"largest statistic difference {difference:G3}; binning {searchNs:F1} ns/value before (binary search), {gridNs:F1} after (grid)");

        return new BenchResult
        {
            Id = "P4",
            Measure = $"drift PSI+KS+null rate, {rows:N0} rows x {features} features: Monitoring ÷ numpy/scipy",
            Unit = "rows/s",
            Ours = rows / seconds,
            Baseline = rows / baselineSeconds,
            Goal = 20,
            Details = new Dictionary<string, double>
            {
                ["ours_peak_mb"] = Math.Round(peakMb),
                ["baseline_peak_mb"] = Math.Round(baseline.GetProperty("peak_mb").GetDouble()),
                ["binning_ns_per_value_before"] = Math.Round(searchNs, 2),
                ["binning_ns_per_value_after"] = Math.Round(gridNs, 2),
                ["largest_statistic_difference"] = difference,
            },
            Note = "single-threaded both sides; ours also keeps per-bin sums and min/max (for Wasserstein), numpy does not",
        };
    }

    private static void Measure(DriftData data, Measured[] results)
    {
        for (var f = 0; f < data.Features; f++)
        {
            var reference = data.References[f];
            var histogram = reference.NewHistogram();
            histogram.AddRange(data.Column(f));
            var ks = KolmogorovSmirnov.Of(reference, histogram);
            results[f] = new Measured(PopulationStabilityIndex.Of(reference, histogram).Value, ks.Value, ks.PValue ?? double.NaN,
                MissingValues.Rate(reference, histogram).Value);
        }
    }

    private static (double GridNs, double SearchNs) BinningCosts(DriftData data)
    {
        var values = (double)data.Rows * data.Features;
        var grid = Enumerable.Range(0, Passes).Min(_ => Time(() =>
        {
            for (var f = 0; f < data.Features; f++)
                data.References[f].NewHistogram().AddRange(data.Column(f));
        }));
        var search = Enumerable.Range(0, Passes).Min(_ => Time(() =>
        {
            for (var f = 0; f < data.Features; f++)
                new BinarySearchBinning([.. data.References[f].FineEdges]).AddRange(data.Column(f));
        }));
        return (grid * 1e9 / values, search * 1e9 / values);
    }

    private static JsonElement Baseline(string benchDirectory, string workDirectory)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("MLOPS_BENCH_PYTHON") ?? "python3", [Path.Combine(benchDirectory, "drift_baseline.py"), workDirectory, Passes.ToString()])
        {
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"drift_baseline.py ended with {process.ExitCode}.");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }

    private readonly record struct Measured(double Psi, double Ks, double KsP, double NullRate);
}
