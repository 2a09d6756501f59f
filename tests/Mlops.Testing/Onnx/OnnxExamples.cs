using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Catalog.Features;

namespace Mlops.Testing.Onnx;

/// <summary>
/// ONNX models made at test time with Debian's python3-onnx and python3-sklearn (deploy/test.sh installs them): the example
/// trainer (examples/trainers/onnx_logistic) on frames written as CSV, and the graphs of Onnx/onnx_variants.py. Debian's
/// interpreter is used (/usr/bin/python3, or MLOPS_PYTHON): a python3 earlier on PATH may not see Debian's modules.
/// </summary>
public static class OnnxExamples
{
    private static readonly Lazy<Task<IReadOnlyDictionary<string, byte[]>>> Variants = new(BuildVariantsAsync);

    public static string Python { get; } = Environment.GetEnvironmentVariable("MLOPS_PYTHON") is { Length: > 0 } python ? python
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string TrainerScript { get; } = Path.Combine(BuiltServices.RepositoryRoot, "examples", "trainers", "onnx_logistic", "train.py");

    /// <summary>
    /// Runs the example trainer as Training would (train and validation CSV, params.json, an output directory), and has it
    /// score <paramref name="predict"/> with the fitted scikit-learn model.
    /// </summary>
    public static async Task<OnnxTrainerRun> TrainAsync(FeatureFrame train, FeatureFrame validation, FeatureFrame predict, string entityColumn,
        string labelColumn, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var work = Directory.CreateTempSubdirectory("mlops-onnx-trainer-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work, "train.csv"), Csv(train, entityColumn, labelColumn));
            await File.WriteAllTextAsync(Path.Combine(work, "validation.csv"), Csv(validation, entityColumn, labelColumn));
            await File.WriteAllTextAsync(Path.Combine(work, "predict.csv"), Csv(predict, entityColumn, labelColumn));
            var settings = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>())
            {
                ["entity_column"] = entityColumn, ["label_column"] = labelColumn,
            };
            await File.WriteAllTextAsync(Path.Combine(work, "params.json"), JsonSerializer.Serialize(settings));
            var output = Path.Combine(work, "out");
            await RunAsync(TrainerScript, "--train", Path.Combine(work, "train.csv"), "--validation", Path.Combine(work, "validation.csv"),
                "--params", Path.Combine(work, "params.json"), "--output", output,
                "--predict", Path.Combine(work, "predict.csv"), "--predictions", Path.Combine(work, "predictions.csv"));

            var predictions = (await File.ReadAllLinesAsync(Path.Combine(work, "predictions.csv"))).Skip(1)
                .Where(line => line.Length > 0)
                .Select(line => line.Split(','))
                .ToDictionary(cells => long.Parse(cells[0], CultureInfo.InvariantCulture), cells => double.Parse(cells[1], CultureInfo.InvariantCulture));
            return new OnnxTrainerRun(await File.ReadAllBytesAsync(Path.Combine(output, "model.onnx")), predictions,
                await File.ReadAllTextAsync(Path.Combine(output, "metrics.json")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The graphs of onnx_variants.py by name (its docstring says which are accepted and which refused), built once per test run.</summary>
    public static async Task<byte[]> VariantAsync(string name) =>
        (await Variants.Value).TryGetValue(name, out var bytes) ? bytes : throw new KeyNotFoundException($"onnx_variants.py writes no {name}.onnx");

    /// <summary>A frame as the CSV Training hands a trainer: the entity column, the features, the label; an empty field for null.</summary>
    public static string Csv(FeatureFrame frame, string entityColumn, string labelColumn)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', [entityColumn, .. frame.Columns.Select(c => c.Name), .. frame.Labels is null ? Array.Empty<string>() : [labelColumn]]).Append('\n');
        for (var row = 0; row < frame.RowCount; row++)
        {
            csv.Append(frame.EntityIds[row].ToString(CultureInfo.InvariantCulture));
            foreach (var column in frame.Columns)
                csv.Append(',').Append(Cell(frame.Value(column.Name, row)));
            if (frame.Labels is { } labels)
                csv.Append(',').Append(Cell(labels[row]));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s when s.IndexOfAny([',', '"', '\n', '\r']) >= 0 => '"' + s.Replace("\"", "\"\"") + '"',
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static async Task<IReadOnlyDictionary<string, byte[]>> BuildVariantsAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mlops-onnx-variants-").FullName;
        try
        {
            await RunAsync(Path.Combine(BuiltServices.RepositoryRoot, "tests", "Mlops.Testing", "Onnx", "onnx_variants.py"), directory);
            return Directory.GetFiles(directory, "*.onnx").ToDictionary(f => Path.GetFileNameWithoutExtension(f), File.ReadAllBytes);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(script)} ran for more than 2 minutes.");
        }
        if (process.ExitCode != 0)
        {
            var error = await stderr;
            var hint = error.Contains("ModuleNotFoundError", StringComparison.Ordinal)
                ? $" {Python} lacks Debian's python3-onnx or python3-sklearn: apt-get install -y python3-sklearn python3-onnx (deploy/test.sh does)."
                : "";
            throw new InvalidOperationException($"{Path.GetFileName(script)} exited with {process.ExitCode}.{hint}\n{await stdout}\n{error}");
        }
    }
}
