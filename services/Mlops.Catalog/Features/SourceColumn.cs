namespace Mlops.Catalog.Features;

/// <summary>A raw column as information_schema.columns describes it, e.g. ("tenure_months", "integer").</summary>
public sealed record SourceColumn(string Name, string DataType)
{
    public override string ToString() => $"{Name} {DataType}";
}
