using Mlops.Catalog.Features;

namespace Mlops.BatchScoring.Scoring;

/// <summary>
/// One chunk of a job, scored: its rows (in the job's entity order, starting at <see cref="FirstRow"/>) and their predictions.
/// </summary>
public sealed record ScoredChunk(int Chunk, int FirstRow, FeatureFrame Rows, double[] Predictions, double LatencyMilliseconds, DateTimeOffset ScoredAt);
