namespace Mlops.Catalog.Features;

public sealed record FeatureColumn(string Name, FeatureType Type);
