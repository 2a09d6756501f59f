namespace Mlops.Catalog.Features;

/// <summary>The shape of a feature table's online copy: its entity key (bigint) and the feature columns served by key.</summary>
public sealed record OnlineFeatureTable(string Name, string EntityColumn, IReadOnlyList<FeatureColumn> Columns);
