using Mlops.Catalog;
using Mlops.Training.Trainers;

namespace Mlops.Training;

/// <summary>One training to run: which data (a pinned feature table version), how to split it and which fit to apply.</summary>
public sealed record TrainingRequest
{
    public required ModelName ModelName { get; init; }
    public required string FeatureTable { get; init; }
    public required int FeatureVersion { get; init; }
    public required string Trainer { get; init; }
    public required ITrainingPlan Plan { get; init; }
    public required string CodeVersion { get; init; }

    /// <summary>Seeds the train / validation / holdout split by entity (<see cref="Catalog.Models.DatasetSplit"/>).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The input features to train on; null for every feature of the table.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>The parameters as read, written into the model document's metadata.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}
