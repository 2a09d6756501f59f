using Mlops.Catalog;
using System.ComponentModel.DataAnnotations;
using Mlops.Training.Trainers.External;
using Mlops.Training.Trainers.LogisticRegression;

namespace Mlops.Training;

public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>The trainer a TrainModel without one runs.</summary>
    [Required]
    public string DefaultTrainer { get; set; } = LogisticRegressionTrainer.TrainerName;

    /// <summary>Trainings that run at once in this process: training is CPU-bound, so more than the cores only queue on them.</summary>
    [Range(1, 64)]
    public int MaxConcurrentTrainings { get; set; } = 1;

    /// <summary>Per-model defaults by full name (Training:Models:dev.ml.churn:Tags:pii), merged under what a TrainModel says.</summary>
    public Dictionary<string, ModelDefaults> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Commands that train models, by the trainer name a TrainModel gives (docs/trainers.md).</summary>
    public Dictionary<string, ExternalTrainerOptions> ExternalTrainers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// What <c>{trainers}</c> stands for in an external trainer's command line; a relative path is taken from the service's
    /// binaries, where the build copies examples/trainers (as trainers/).
    /// </summary>
    public string TrainersDirectory { get; set; } = "trainers";

    /// <summary>Where each external training gets its fresh work directory, removed when it ends; under the system's temporary directory when empty.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>The most of an external trainer's stdout, and of its stderr, kept as artifacts (the end of it).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxTrainerLogBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest model file an external trainer may hand over.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxModelBytes { get; set; } = 256 * 1024 * 1024;

    public ModelDefaults DefaultsFor(ModelName name) => Models.GetValueOrDefault(name.FullName) ?? new ModelDefaults();
}
