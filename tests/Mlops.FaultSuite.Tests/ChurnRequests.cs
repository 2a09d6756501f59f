using Mlops.Catalog.Features;
using Mlops.Simulator;

namespace Mlops.FaultSuite.Tests;

/// <summary>Valid scoring requests for the churn model: generated customers turned into the features it takes.</summary>
public static class ChurnRequests
{
    private static readonly ChurnFeatureDefinition Features = new();

    /// <summary>dataframe_records bodies of <paramref name="rowsPerRequest"/> rows each.</summary>
    public static IReadOnlyList<object> Records(int requests, int rowsPerRequest, int seed = 21)
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = requests * rowsPerRequest, Seed = seed, FirstCustomerId = 5_000_001 });
        var frame = Features.Compute(ChurnRawRows.From(customers));
        var records = Enumerable.Range(0, frame.RowCount)
            .Select(row => frame.Columns.ToDictionary(c => c.Name, c => Cell(frame, c, row)))
            .ToList();
        return records.Chunk(rowsPerRequest).Select(chunk => (object)new { dataframe_records = chunk }).ToList();
    }

    /// <summary>One valid row, as a dictionary a bad-input case can spoil one field of.</summary>
    public static Dictionary<string, object?> OneRow()
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 1, Seed = 5, FirstCustomerId = 9_000_001 });
        var frame = Features.Compute(ChurnRawRows.From(customers));
        return frame.Columns.ToDictionary(c => c.Name, c => Cell(frame, c, 0));
    }

    private static object? Cell(FeatureFrame frame, FeatureColumn column, int row) =>
        column.Type == FeatureType.Numeric
            ? double.IsNaN(frame.Numeric[column.Name][row]) ? null : frame.Numeric[column.Name][row]
            : frame.Categorical[column.Name][row];
}
