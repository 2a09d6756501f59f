using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Bench;

/// <summary>
/// P9: the cost of scoring through ONNX Runtime against the portable format, for the same kind of model — a standardised
/// logistic regression over 8 numeric features (the ONNX one fitted by examples/trainers/onnx_logistic, the portable one
/// written by hand) — one row at a time (Serving's path) and a whole frame at a time (Promotion's and batch scoring's).
/// Single-threaded; each side's best of three passes counts. No goal: the figure says what choosing ONNX costs per row.
/// </summary>
public static class OnnxScoringBenchmark
{
    private const int Passes = 3;
    private const int Features = 8;

    public static BenchResult Run(int rows, string repositoryRoot, string workDirectory)
    {
        var frame = Frame(rows, seed: 1);
        var onnxBytes = Train(repositoryRoot, workDirectory);
        using var onnx = OnnxModel.Load(onnxBytes);
        var portable = CompiledModel.Compile(Portable());
        var values = Enumerable.Range(0, rows).Select(row => (IReadOnlyList<object?>)frame.Columns.Select(c => (object?)frame.Numeric[c.Name][row]).ToArray()).ToArray();

        var onnxRow = Best(() => ScoreRows(onnx, values));
        var portableRow = Best(() => ScoreRows(portable, values));
        var onnxFrame = Best(() => onnx.Score(frame));
        var portableFrame = Best(() => portable.Score(frame));

        Console.WriteLine($"P9 scoring {rows:N0} rows x {Features} features, one row at a time: ONNX {rows / onnxRow:N0} rows/s, portable {rows / portableRow:N0} rows/s; " +
            $"a frame at a time: ONNX {rows / onnxFrame:N0} rows/s, portable {rows / portableFrame:N0} rows/s");

        return new BenchResult
        {
            Id = "P9",
            Measure = $"scoring one row at a time, logistic regression over {Features} features: ONNX Runtime ÷ portable format",
            Unit = "rows/s",
            Ours = rows / onnxRow,
            Baseline = rows / portableRow,
            Goal = double.NaN,
            GoalText = "none (what ONNX costs)",
            Details = new Dictionary<string, double>
            {
                ["onnx_us_per_row"] = Math.Round(onnxRow * 1e6 / rows, 3),
                ["portable_us_per_row"] = Math.Round(portableRow * 1e6 / rows, 3),
                ["onnx_frame_rows_per_s"] = Math.Round(rows / onnxFrame),
                ["portable_frame_rows_per_s"] = Math.Round(rows / portableFrame),
            },
            Note = "single thread; one ONNX Runtime Run per row (Serving) against one Run per 4,096 rows (a frame); the ONNX graph is double precision",
        };
    }

    private static void ScoreRows(IScoringModel model, IReadOnlyList<object?>[] values)
    {
        foreach (var row in values)
            model.Score(row);
    }

    private static double Best(Action action)
    {
        action();
        return Enumerable.Range(0, Passes).Min(_ =>
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalSeconds;
        });
    }

    private static FeatureFrame Frame(int rows, int seed)
    {
        var random = new Random(seed);
        var columns = Enumerable.Range(0, Features).Select(f => new FeatureColumn($"f{f}", FeatureType.Numeric)).ToList();
        var numeric = columns.ToDictionary(c => c.Name, _ => Enumerable.Range(0, rows).Select(_ => random.NextDouble() * 10).ToArray());
        var labels = Enumerable.Range(0, rows).Select(row => random.NextDouble() < CompiledModel.Sigmoid(numeric["f0"][row] - numeric["f1"][row]) ? 1.0 : 0.0).ToArray();
        return new FeatureFrame(columns, Enumerable.Range(1, rows).Select(i => (long)i).ToArray(), numeric, new Dictionary<string, string?[]>(), labels);
    }

    private static ModelDocument Portable() => new()
    {
        Kind = ModelDocument.LogisticRegressionKind,
        Signature = new ModelSignature { Inputs = Enumerable.Range(0, Features).Select(f => new SignatureColumn($"f{f}", SignatureColumn.Double)).ToList() },
        Encodings = Enumerable.Range(0, Features).Select(f => new InputEncoding { Input = $"f{f}", Kind = InputEncoding.Standardize, Center = 5, Scale = 2.9 }).ToList(),
        LogisticRegression = new LogisticRegressionParameters
        {
            Intercept = 0.1, Coefficients = Enumerable.Range(0, Features).ToDictionary(f => $"f{f}", f => 0.1 * (f + 1)),
        },
    };

    /// <summary>Fits the example ONNX trainer on 2,000 rows (Debian's python3-sklearn and python3-onnx under /usr/bin/python3).</summary>
    private static byte[] Train(string repositoryRoot, string workDirectory)
    {
        Directory.CreateDirectory(workDirectory);
        var train = Frame(2000, seed: 2);
        var csv = new StringBuilder("id," + string.Join(',', train.Columns.Select(c => c.Name)) + ",label\n");
        for (var row = 0; row < train.RowCount; row++)
            csv.Append(train.EntityIds[row]).Append(',')
                .AppendJoin(',', train.Columns.Select(c => train.Numeric[c.Name][row].ToString("R", CultureInfo.InvariantCulture)))
                .Append(',').Append(train.Labels![row]).Append('\n');
        var data = Path.Combine(workDirectory, "train.csv");
        File.WriteAllText(data, csv.ToString());
        File.WriteAllText(Path.Combine(workDirectory, "params.json"), """{"entity_column": "id", "label_column": "label"}""");

        var python = Environment.GetEnvironmentVariable("MLOPS_PYTHON") ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
        var output = Path.Combine(workDirectory, "onnx");
        var start = new ProcessStartInfo(python, [Path.Combine(repositoryRoot, "examples", "trainers", "onnx_logistic", "train.py"),
            "--train", data, "--validation", data, "--params", Path.Combine(workDirectory, "params.json"), "--output", output]);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{python} did not start.");
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"train.py ended with {process.ExitCode} (python3-sklearn and python3-onnx installed?).");
        return File.ReadAllBytes(Path.Combine(output, "model.onnx"));
    }
}
