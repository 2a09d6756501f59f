namespace Mlops.Api.Requests;

/// <summary>
/// Score with <see cref="Version"/> (default: the champion) the feature version <see cref="FeatureVersion"/> (default: the latest
/// of the model's environment), every entity of it or only <see cref="EntityKeys"/>. <see cref="FeatureTable"/>, when given,
/// must be the table the version was trained on.
/// </summary>
public sealed record BatchScoringRequest(int? Version, string? FeatureTable, int? FeatureVersion, IReadOnlyList<long>? EntityKeys);
