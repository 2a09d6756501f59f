namespace Mlops.Contracts;

/// <summary>Statistics of one feature in one feature table version.</summary>
public record FeatureStatistics
{
    public string Name { get; init; } = "";

    /// <summary>numeric or categorical.</summary>
    public string Type { get; init; } = "";

    public double NullRate { get; init; }

    public double? Mean { get; init; }

    public double? StandardDeviation { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public int? DistinctValues { get; init; }
}
