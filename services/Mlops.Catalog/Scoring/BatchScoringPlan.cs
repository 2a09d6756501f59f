using Mlops.Catalog.Registry;

namespace Mlops.Catalog.Scoring;

/// <summary>What a batch scoring job scores: one model version over one feature table version, all its entities or some.</summary>
public sealed record BatchScoringPlan(ModelName ModelName, ModelVersion Version, string FeatureTable, int FeatureVersion, long[]? EntityKeys);
