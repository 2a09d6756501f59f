using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mlops.Bench;

/// <summary>latest.json (every figure) and latest.md (one row per ratio against its goal).</summary>
public static class ResultsWriter
{
    public static string Write(string directory, IReadOnlyList<BenchResult> results, bool quick, IReadOnlyList<string> notRun)
    {
        Directory.CreateDirectory(directory);
        var when = DateTimeOffset.UtcNow;
        var machine = $"{Environment.ProcessorCount} cores ({CpuModel()}), {Environment.OSVersion}, .NET {Environment.Version}";
        var mode = quick ? "quick (--quick)" : "full";

        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSerializer.Serialize(new
        {
            date = when.ToString("u", CultureInfo.InvariantCulture), mode, machine,
            results = results.Select(r => new { r.Id, r.Measure, r.Unit, r.Ours, r.Baseline, ratio = r.Ratio, r.Goal, r.GoalText, met = r.Met, r.Details, r.Note }),
            notRun,
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));

        var table = new StringBuilder()
            .AppendLine("# Benchmark results")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Mode: {mode}. Date: {when:u}. Machine: {machine}. Made by `bench/run.sh{(quick ? " --quick" : "")}`; each benchmark ran with its baseline in the same run; ratio = ours ÷ baseline, higher is better.")
            .AppendLine()
            .AppendLine("| id | measure | ours | baseline | ratio | goal | met | notes |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var details = string.Join("; ", r.Details.Select(d => $"{d.Key} {d.Value.ToString(Math.Abs(d.Value) >= 1000 ? "N0" : "G4", CultureInfo.InvariantCulture)}"));
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Id} | {r.Measure} | {r.Ours.ToString(r.Ours >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture)} {r.Unit} | {(r.Baseline > 0 ? $"{r.Baseline:N0} {r.Unit}" : "—")} | {(double.IsNaN(r.Ratio) ? "—" : r.Ratio.ToString("F2", CultureInfo.InvariantCulture))} | {r.GoalText ?? $"≥ {r.Goal:G}"} | {r.Met switch { true => "yes", false => "no", null => "—" }} | {details}{(r.Note.Length > 0 ? $"; {r.Note}" : "")} |");
        }
        if (notRun.Count > 0)
            table.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Not measured yet: {string.Join(", ", notRun)}.");

        var markdown = table.ToString();
        File.WriteAllText(Path.Combine(directory, "latest.md"), markdown);
        return markdown;
    }

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
}
