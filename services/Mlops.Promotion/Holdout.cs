using Mlops.Catalog.Features;

namespace Mlops.Promotion;

/// <summary>The labelled holdout rows of one feature table version, under the split seed the challenger trained with.</summary>
public sealed record Holdout(string FeatureTable, int FeatureVersion, int Seed, FeatureFrame Rows)
{
    public int RowCount => Rows.RowCount;
}
