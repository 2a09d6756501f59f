using Mlops.Catalog.Models;

namespace Mlops.Serving.Models;

/// <summary>One compiled model version, immutable: a request that picked it keeps it until it answers, whatever swaps meanwhile.</summary>
public sealed record LoadedModel(string ModelName, int Version, CompiledModel Model);
