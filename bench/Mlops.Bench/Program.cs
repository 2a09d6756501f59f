using Mlops.Bench;
using Mlops.Bench.Serving;

// P5's baseline runs in a process of its own: Mlops.Bench --bare-endpoint PORT
if (args.Length == 2 && args[0] == "--bare-endpoint")
{
    await BareEndpoint.RunAsync(int.Parse(args[1]));
    return 0;
}

// bench/run.sh builds and starts this: Mlops.Bench [--quick] --bench-dir DIR [--only P4,P1]
var quick = args.Contains("--quick");
var benchDirectory = ArgumentAfter("--bench-dir") ?? Directory.GetCurrentDirectory();
var only = ArgumentAfter("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var work = Path.Combine(Path.GetTempPath(), $"mlops-bench-{Environment.ProcessId}");

var benchmarks = new (string Id, Func<IReadOnlyList<BenchResult>> Run)[]
{
    ("P4", () =>
    [
        DriftBenchmark.Run(quick ? 200_000 : 1_000_000, 20, benchDirectory, Path.Combine(work, "p4")),
        .. WithInfrastructure(async infrastructure => [await DriftEndToEndBenchmark.RunAsync(infrastructure, quick ? 200_000 : 1_000_000, 20)]),
    ]),
    ("P1", () => WithInfrastructure(async infrastructure => [await BusBenchmark.RunAsync(infrastructure, quick ? 10_000 : 20_000, quick ? 3 : 5)])),
    ("P2", () => WithInfrastructure(async infrastructure => [await DurableConsumerBenchmark.RunAsync(infrastructure, quick ? 3_000 : 20_000)])),
    ("P2b", () => WithInfrastructure(async infrastructure => [await OutboxBenchmark.RunAsync(infrastructure, quick ? 5_000 : 10_000, quick ? 3 : 5)])),
    ("P3", () => WithInfrastructure(infrastructure => SagaBenchmark.RunAsync(infrastructure, quick ? 200 : 1_000))),
    ("P5", () => WithInfrastructure(infrastructure => ServingBenchmark.RunAsync(infrastructure, Path.GetDirectoryName(Path.GetFullPath(benchDirectory))!, quick))),
    ("P6", () => WithInfrastructure(async infrastructure => [await IngestBenchmark.RunAsync(infrastructure, quick ? 50_000 : 500_000)])),
    ("P7", () => WithInfrastructure(async infrastructure => [await FeatureRefreshBenchmark.RunAsync(infrastructure, quick ? 100_000 : 1_000_000)])),
    ("P8", () => WithInfrastructure(infrastructure => FeatureLookupBenchmark.RunAsync(infrastructure, Path.GetDirectoryName(Path.GetFullPath(benchDirectory))!, quick))),
    ("P9", () => [OnnxScoringBenchmark.Run(quick ? 20_000 : 200_000, Path.GetDirectoryName(Path.GetFullPath(benchDirectory))!, Path.Combine(work, "p9"))]),
};
string[] notYet = [];

var results = new List<BenchResult>();
try
{
    foreach (var (id, run) in benchmarks.Where(b => only is null || only.Contains(b.Id)))
        results.AddRange(run());
}
finally
{
    if (Directory.Exists(work))
        Directory.Delete(work, recursive: true);
}

Console.WriteLine();
Console.WriteLine(ResultsWriter.Write(Path.Combine(benchDirectory, "results"), results, quick, notYet));
return results.Count > 0 ? 0 : 1;

static IReadOnlyList<BenchResult> WithInfrastructure(Func<BenchInfrastructure, Task<IReadOnlyList<BenchResult>>> run)
{
    return Run().GetAwaiter().GetResult();

    async Task<IReadOnlyList<BenchResult>> Run()
    {
        await using var infrastructure = await BenchInfrastructure.CreateAsync();
        return await run(infrastructure);
    }
}

string? ArgumentAfter(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
