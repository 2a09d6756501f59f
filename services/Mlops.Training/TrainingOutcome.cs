using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;

namespace Mlops.Training;

/// <summary>
/// A trained model with everything registering it needs: the artifact in its format, its signature, its validation metrics
/// (and holdout_ ones), the fit's own diagnostics, the training-time reference profile, the feature version it was trained
/// on and the logs the trainer left.
/// </summary>
public sealed record TrainingOutcome
{
    public required FeatureTableVersion FeatureVersion { get; init; }
    public required string ModelFormat { get; init; }
    public required byte[] ModelArtifact { get; init; }
    public required ModelSignature Signature { get; init; }
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    public required IReadOnlyDictionary<string, double> Diagnostics { get; init; }
    public required ReferenceProfile Profile { get; init; }
    public required int TrainingRows { get; init; }
    public required int ValidationRows { get; init; }
    public required int HoldoutRows { get; init; }
    public IReadOnlyDictionary<string, byte[]> Logs { get; init; } = new Dictionary<string, byte[]>();
}
