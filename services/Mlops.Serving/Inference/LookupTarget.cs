using Mlops.Catalog.Features;

namespace Mlops.Serving.Inference;

/// <summary>
/// Where one model version's features are looked up: its feature table's online copy in the model's environment.
/// <see cref="Columns"/> are the model inputs the table holds (same name and type), fetched in that order;
/// <see cref="Positions"/> gives, per model input, its place among them or -1 when the table does not hold it.
/// </summary>
public sealed record LookupTarget(OnlineFeatureTable Table, string Environment, IReadOnlyList<FeatureColumn> Columns, int[] Positions);
