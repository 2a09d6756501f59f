using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// The figures of one scenario (lost, duplicated, redeliveries, recovery times...) and the rules it broke. Saved into
/// artifacts/fault-suite/report.json (and report.md, which docs/reliability.md is written from) and printed as one
/// parseable line, <c>FAULT-SUITE {"scenario": ..., "figures": {...}}</c>, in the test output and in figures.log.
/// </summary>
public sealed class ScenarioReport(string scenario, ITestOutputHelper output)
{
    private static readonly SemaphoreSlim FileLock = new(1, 1);
    private readonly JsonObject _figures = new();
    private readonly List<string> _violations = [];
    private readonly List<double> _recoveries = [];

    public void Figure(string name, double value) => _figures[name] = Math.Round(value, 3);

    public void Figure(string name, string value) => _figures[name] = value;

    public void Recovered(TimeSpan time) => _recoveries.Add(time.TotalMilliseconds);

    /// <summary>Records a broken rule; the scenario fails at <see cref="AssertAsync"/>, after its figures are saved.</summary>
    public void Expect(bool condition, string violation)
    {
        if (!condition)
            _violations.Add(violation);
    }

    /// <summary>Saves the figures, then fails the test if any rule was broken.</summary>
    public async Task AssertAsync()
    {
        if (_recoveries.Count > 0)
        {
            var sorted = _recoveries.Order().ToList();
            Figure("recoveries", sorted.Count);
            Figure("recovery_p50_ms", Percentile(sorted, 0.50));
            Figure("recovery_p99_ms", Percentile(sorted, 0.99));
        }
        var entry = new JsonObject
        {
            ["scenario"] = scenario,
            ["outcome"] = _violations.Count == 0 ? "passed" : "failed",
            ["figures"] = _figures.DeepClone(),
            ["violations"] = new JsonArray(_violations.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["finished_at"] = DateTimeOffset.UtcNow.ToString("u"),
        };
        output.WriteLine("FAULT-SUITE " + entry.ToJsonString());
        await SaveAsync(entry);
        Assert.True(_violations.Count == 0, $"{scenario}: " + string.Join("; ", _violations));
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private async Task SaveAsync(JsonObject entry)
    {
        await FileLock.WaitAsync();
        try
        {
            var path = Path.Combine(SuiteInfrastructure.Artifacts, "report.json");
            var report = File.Exists(path) ? JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject() : new JsonObject();
            report["machine"] = $"{Environment.MachineName}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
            report["updated_at"] = DateTimeOffset.UtcNow.ToString("u");
            var scenarios = report["scenarios"] as JsonObject ?? new JsonObject();
            scenarios[scenario] = entry;
            report["scenarios"] = scenarios;
            await File.WriteAllTextAsync(path, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            await File.WriteAllTextAsync(Path.Combine(SuiteInfrastructure.Artifacts, "report.md"), Markdown(report));
            await File.AppendAllTextAsync(Path.Combine(SuiteInfrastructure.Artifacts, "figures.log"), "FAULT-SUITE " + entry.ToJsonString() + "\n");
        }
        finally
        {
            FileLock.Release();
        }
    }

    private static string Markdown(JsonObject report)
    {
        var lines = new List<string>
        {
            $"Fault suite report, {report["updated_at"]}, on {report["machine"]}",
            "",
            "| scenario | outcome | figures |",
            "| --- | --- | --- |",
        };
        foreach (var (name, node) in report["scenarios"]!.AsObject())
        {
            var figures = string.Join(", ", node!["figures"]!.AsObject().Select(f => $"{f.Key} {f.Value}"));
            lines.Add($"| {name} | {node["outcome"]} | {figures} |");
        }
        foreach (var (name, node) in report["scenarios"]!.AsObject())
            foreach (var violation in node!["violations"]!.AsArray())
                lines.Add($"- {name}: {violation}");
        return string.Join('\n', lines) + "\n";
    }
}
