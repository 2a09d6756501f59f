using Mlops.Catalog.Models;

namespace Mlops.Serving.Models;

/// <summary>One loaded model version, in whatever format, immutable: a request that picked it keeps it until it answers, whatever swaps meanwhile.</summary>
public sealed record LoadedModel(string ModelName, int Version, IScoringModel Model);
