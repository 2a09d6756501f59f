using Mlops.Catalog;
using System.ComponentModel.DataAnnotations;
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

    public ModelDefaults DefaultsFor(ModelName name) => Models.GetValueOrDefault(name.FullName) ?? new ModelDefaults();
}
