using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// Runs an external trainer (docs/trainers.md): in a fresh work directory it writes the training and validation splits and
/// params.json, runs the configured command with <c>--train --validation --params --output</c>, and takes back the model
/// file and metrics.json only when the command exited 0 within its time limit, the model loads in its format, its signature
/// asks for features the trainer was given and every metric is finite. Any failure is a <see cref="TrainingException"/> that
/// ends with the tail of the command's stderr and carries its stdout and stderr for the tracking run. The work directory
/// is removed whatever happens. Holds no connection and no transaction: it runs inside a leased step.
/// </summary>
public sealed partial class ExternalTrainerRunner(IOptions<TrainingOptions> options, IHostEnvironment host, ILogger<ExternalTrainerRunner> logger)
{
    public const string ParamsFile = "params.json";
    public const string TrainersPlaceholder = "{trainers}";
    private const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";
    private const string Backstop = "/usr/bin/timeout";
    private const string NewSession = "/usr/bin/setsid";
    private const string Shell = "/bin/sh";

    /// <summary>
    /// Runs the command (timeout and the trainer) in the background and waits for it, exiting with its status; beside it a
    /// watchdog reads this service's end of stdin, which only this service holds open: when it reads end of file this
    /// service is gone (even by kill -9), and it kills timeout's process group, so the trainer dies with its service.
    /// </summary>
    private const string Watchdog = """
        exec 3<&0
        "$@" </dev/null 3<&- & trainer=$!
        (read -r line <&3; kill -9 -"$trainer") 3<&3 & watchdog=$!
        exec 3<&-
        wait "$trainer"; status=$?
        kill -9 "$watchdog" 2>/dev/null
        exit "$status"
        """;
    private static readonly TimeSpan BackstopDelay = TimeSpan.FromMinutes(1);

    public async Task<TrainedModel> RunAsync(string name, ExternalTrainerOptions trainer, IReadOnlyDictionary<string, string> parameters, TrainingData data,
        CancellationToken cancellationToken)
    {
        var validation = data.Validation ?? throw new ArgumentException("An external trainer is given the validation split too.", nameof(data));
        Directory.CreateDirectory(WorkRoot());
        // Named after this process from the start: a later Training sweeps it, and kills its trainer, if this one is killed.
        var path = Path.Combine(WorkRoot(), TrainerWorkDirectories.NewName(name));
        // Only this service's user may read the feature rows written into it.
        var work = OperatingSystem.IsWindows()
            ? Directory.CreateDirectory(path)
            : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var input = work.CreateSubdirectory("input").FullName;
            var output = work.CreateSubdirectory("output").FullName;
            var temporary = work.CreateSubdirectory("tmp").FullName;
            var trainPath = Path.Combine(input, TrainingSetFiles.FileName("train", trainer.DataFormat));
            var validationPath = Path.Combine(input, TrainingSetFiles.FileName("validation", trainer.DataFormat));
            var paramsPath = Path.Combine(input, ParamsFile);
            await TrainingSetFiles.WriteAsync(trainPath, trainer.DataFormat, data.Rows, data.Features, data.EntityColumn, data.LabelColumn, cancellationToken);
            await TrainingSetFiles.WriteAsync(validationPath, trainer.DataFormat, validation, data.Features, data.EntityColumn, data.LabelColumn, cancellationToken);
            await File.WriteAllBytesAsync(paramsPath, ParamsJson(name, trainer, parameters, data), cancellationToken);

            var (start, watched) = StartInfo(trainer, work.FullName, temporary, ["--train", trainPath, "--validation", validationPath, "--params", paramsPath, "--output", output]);
            LogStarting(name, Expand(trainer.Command), work.FullName, data.Rows.RowCount, validation.RowCount);
            var result = await TrainerProcess.RunAsync(start, trainer.TimeLimit, options.Value.MaxTrainerLogBytes, cancellationToken,
                started: pid => TrainerWorkDirectories.RecordTrainer(work.FullName, pid), holdInput: watched);
            LogEnded(name, result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "killed at its time limit", result.Elapsed.TotalSeconds);
            try
            {
                return Collect(name, trainer, data, output, result) with { Logs = result.Logs };
            }
            catch (TrainingException exception)
            {
                var stderr = result.Stderr.LastLines();
                var reason = stderr.Length == 0 ? $"{exception.Message} Its stderr was empty." : $"{exception.Message} The end of its stderr:\n{stderr}";
                throw new TrainingException(reason, exception) { Artifacts = result.Logs };
            }
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                LogWorkDirectoryLeft(exception, work.FullName);
            }
        }
    }

    private TrainedModel Collect(string name, ExternalTrainerOptions trainer, TrainingData data, string output, TrainerProcessResult result)
    {
        if (result.ExitCode is null)
            throw new TrainingException($"Trainer '{name}' ran longer than its time limit of {trainer.TimeLimit:c} and was stopped (its process tree was killed).");
        if (result.ExitCode != 0)
            throw new TrainingException($"Trainer '{name}' exited with code {result.ExitCode}.");

        var file = ModelFormats.ArtifactName(trainer.OutputFormat);
        var bytes = ReadOutput(name, output, file, options.Value.MaxModelBytes);
        IScoringModel model;
        try
        {
            model = ModelFormats.Load(trainer.OutputFormat, bytes);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new TrainingException($"Trainer '{name}' wrote a {file} that is not a valid {trainer.OutputFormat} model: {exception.Message}");
        }
        SignatureCheck.Require(model.Inputs, data, $"the {file} of trainer '{name}'");

        var metrics = TrainerMetricsFile.Parse(ReadOutput(name, output, TrainerMetricsFile.FileName, 1024 * 1024));
        var diagnostics = new Dictionary<string, double>(metrics) { ["duration_seconds"] = Math.Round(result.Elapsed.TotalSeconds, 3) };
        return model is CompiledModel portable
            ? new TrainedModel(portable.Document, diagnostics)
            : new TrainedModel(trainer.OutputFormat, bytes, diagnostics);
    }

    private static byte[] ReadOutput(string name, string output, string file, long maxBytes)
    {
        var path = Path.Combine(output, file);
        if (!File.Exists(path))
        {
            var written = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(20).ToList();
            throw new TrainingException($"Trainer '{name}' exited with code 0 but wrote no {file} to its output directory " +
                $"({(written.Count == 0 ? "it wrote nothing there" : "it wrote: " + string.Join(", ", written))}).");
        }
        var length = new FileInfo(path).Length;
        if (length > maxBytes)
            throw new TrainingException($"Trainer '{name}' wrote a {file} of {length} bytes; at most {maxBytes} are taken.");
        return File.ReadAllBytes(path);
    }

    /// <summary>The keys of params.json besides the trainer's own parameters, which also stand at its top level for scripts' convenience.</summary>
    public static readonly IReadOnlyList<string> ParamsKeys =
        ["trainer", "entity_column", "label_column", "features", "seed", "data_format", "output_format", "model_file", "parameters"];

    private static byte[] ParamsJson(string name, ExternalTrainerOptions trainer, IReadOnlyDictionary<string, string> parameters, TrainingData data)
    {
        var document = new Dictionary<string, object>
        {
            ["trainer"] = name,
            ["entity_column"] = data.EntityColumn,
            ["label_column"] = data.LabelColumn,
            ["features"] = data.Features.Select(f => new Dictionary<string, string>
            {
                ["name"] = f.Name, ["type"] = f.Type == FeatureType.Numeric ? SignatureColumn.Double : SignatureColumn.String,
            }).ToList(),
            ["seed"] = data.Seed,
            ["data_format"] = trainer.DataFormat,
            ["output_format"] = trainer.OutputFormat,
            ["model_file"] = ModelFormats.ArtifactName(trainer.OutputFormat),
            ["parameters"] = parameters,
        };
        foreach (var (key, value) in parameters)
            document[key] = value;
        return JsonSerializer.SerializeToUtf8Bytes(document, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The command's start, and whether a watchdog kills it when this service's end of its stdin closes.</summary>
    private (ProcessStartInfo Start, bool Watched) StartInfo(ExternalTrainerOptions trainer, string work, string temporary, IReadOnlyList<string> contract)
    {
        ProcessStartInfo start;
        var watched = false;
        if (File.Exists(Backstop))
        {
            // This service kills the tree at the time limit; coreutils' timeout kills its process group a little later even if
            // this service was killed meanwhile (kill -9), so no trainer outlives its limit by much. Where setsid and sh are
            // there, the trainer also dies with this service (Watchdog), in a session of its own that a sweep can find.
            if (File.Exists(NewSession) && File.Exists(Shell))
            {
                start = new ProcessStartInfo(NewSession) { WorkingDirectory = work };
                foreach (var argument in new[] { "--wait", Shell, "-c", Watchdog, "mlops-trainer", Backstop })
                    start.ArgumentList.Add(argument);
                watched = true;
            }
            else
            {
                start = new ProcessStartInfo(Backstop) { WorkingDirectory = work };
            }
            start.ArgumentList.Add("--kill-after=10");
            start.ArgumentList.Add($"{Math.Ceiling((trainer.TimeLimit + BackstopDelay).TotalSeconds):F0}s");
            start.ArgumentList.Add(Expand(trainer.Command));
        }
        else
        {
            start = new ProcessStartInfo(Expand(trainer.Command)) { WorkingDirectory = work };
        }
        foreach (var argument in trainer.Arguments)
            start.ArgumentList.Add(Expand(argument));
        foreach (var argument in contract)
            start.ArgumentList.Add(argument);
        start.Environment.Clear();
        start.Environment["PATH"] = DefaultPath;
        start.Environment["HOME"] = work;
        start.Environment["TMPDIR"] = temporary;
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (key, value) in trainer.Environment)
            start.Environment[key] = Expand(value);
        return (start, watched);
    }

    private string Expand(string text) => text.Replace(TrainersPlaceholder, TrainersDirectory(), StringComparison.Ordinal);

    private string TrainersDirectory() => Path.GetFullPath(options.Value.TrainersDirectory, AppContext.BaseDirectory);

    /// <summary>Where each training gets its work directory (<see cref="TrainingOptions.WorkDirectory"/>).</summary>
    public string WorkRoot() => string.IsNullOrWhiteSpace(options.Value.WorkDirectory)
        ? Path.Combine(Path.GetTempPath(), "mlops-training")
        : Path.GetFullPath(options.Value.WorkDirectory, host.ContentRootPath);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Starting trainer {Trainer} ({Command}) in {WorkDirectory} on {TrainingRows} training and {ValidationRows} validation rows")]
    private partial void LogStarting(string trainer, string command, string workDirectory, int trainingRows, int validationRows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trainer {Trainer} ended ({ExitCode}) after {Seconds:F1} s")]
    private partial void LogEnded(string trainer, string exitCode, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The work directory {WorkDirectory} could not be removed")]
    private partial void LogWorkDirectoryLeft(Exception exception, string workDirectory);
}
