using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// One external trainer (Training:ExternalTrainers:&lt;name&gt;): a command this service runs to train a model, named by a
/// TrainModel's Trainer. The command line comes from here only, never from a message: a message can only name a trainer
/// configured here and give it values for the parameters configured here.
/// </summary>
public sealed class ExternalTrainerOptions
{
    public const string Csv = "csv";
    public const string Parquet = "parquet";

    /// <summary>The program: an absolute path, or a path with <c>{trainers}</c> (Training:TrainersDirectory) in it. Never a shell.</summary>
    public string Command { get; set; } = "";

    /// <summary>Arguments before the contract's own (--train, --validation, --params, --output); <c>{trainers}</c> is replaced in each.</summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>The process tree is killed when it runs longer, and the step ends TrainingFailed.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How the training and validation sets are written: csv or parquet.</summary>
    public string DataFormat { get; set; } = Csv;

    /// <summary>The model file the command writes: mlops.model/v1 (model.json) or onnx (model.onnx).</summary>
    public string OutputFormat { get; set; } = ModelFormats.Portable;

    /// <summary>The parameters a TrainModel may set, with their defaults; any other name is refused as a likely typo.</summary>
    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Environment variables of the process besides PATH, HOME, TMPDIR and LANG: the trainer inherits nothing else from the
    /// service, so none of the service's settings or secrets reach it.
    /// </summary>
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);
}
