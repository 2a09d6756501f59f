namespace Mlops.Api.Responses;

/// <summary>One version in a model's list; <paramref name="ModelFormat"/> is its artifact's format (mlops.model/v1 or onnx).</summary>
public sealed record VersionSummary(int Version, string Status, string ModelFormat, string CodeVersion, string Trainer, string CreatedBy, DateTime CreatedAt,
    IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Aliases);
