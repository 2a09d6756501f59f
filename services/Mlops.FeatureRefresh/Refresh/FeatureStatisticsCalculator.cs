using Mlops.Catalog.Features;
using Mlops.Contracts;

namespace Mlops.FeatureRefresh.Refresh;

/// <summary>Per-feature statistics of a frame, over the values present: what a version records and monitoring compares against.</summary>
public static class FeatureStatisticsCalculator
{
    public const string NumericType = "numeric";
    public const string CategoricalType = "categorical";

    public static IReadOnlyList<FeatureStatistics> Compute(FeatureFrame frame) =>
        frame.Columns.Select(column => column.Type == FeatureType.Numeric
                ? Numeric(column.Name, frame.Numeric[column.Name])
                : Categorical(column.Name, frame.Categorical[column.Name]))
            .ToList();

    private static FeatureStatistics Numeric(string name, double[] values)
    {
        // Welford's update keeps the variance exact enough for large batches without a second pass.
        long count = 0;
        double mean = 0, squares = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var value in values)
        {
            if (double.IsNaN(value))
                continue;
            count++;
            var delta = value - mean;
            mean += delta / count;
            squares += delta * (value - mean);
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }

        return new FeatureStatistics
        {
            Name = name,
            Type = NumericType,
            NullRate = NullRate(values.Length - count, values.Length),
            Mean = count > 0 ? mean : null,
            StandardDeviation = count > 1 ? Math.Sqrt(squares / (count - 1)) : count == 1 ? 0 : null,
            Min = count > 0 ? min : null,
            Max = count > 0 ? max : null,
        };
    }

    private static FeatureStatistics Categorical(string name, string?[] values)
    {
        var missing = values.Count(v => v is null);
        return new FeatureStatistics
        {
            Name = name,
            Type = CategoricalType,
            NullRate = NullRate(missing, values.Length),
            DistinctValues = values.Where(v => v is not null).Distinct(StringComparer.Ordinal).Count(),
        };
    }

    private static double NullRate(long missing, int rows) => rows == 0 ? 0 : (double)missing / rows;
}
