namespace Mlops.Catalog.Features;

public enum FeatureType
{
    Numeric,
    Categorical,
}
