using Microsoft.Extensions.Options;
using Mlops.Catalog.Features;
using Mlops.Simulator;

namespace Mlops.FeatureRefresh.Refresh;

/// <summary>
/// The checks a batch must pass before it becomes a feature table version. Each violation is one sentence with its numbers,
/// as the operator will read it in the run's failure reason.
/// </summary>
public sealed class DataQualityChecks(IOptions<FeatureRefreshOptions> options)
{
    /// <summary>Differences between the columns the definition expects and those the source table has.</summary>
    public static IReadOnlyList<string> CheckSchema(string sourceTable, IReadOnlyList<SourceColumn> expected, IReadOnlyList<SourceColumn> actual)
    {
        var violations = new List<string>();
        var actualByName = actual.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var column in expected)
        {
            if (!actualByName.TryGetValue(column.Name, out var found))
                violations.Add($"Schema change in {sourceTable}: column {column.Name} ({column.DataType}) is missing.");
            else if (found.DataType != column.DataType)
                violations.Add($"Schema change in {sourceTable}: column {column.Name} is {found.DataType}, expected {column.DataType}.");
        }

        var expectedNames = expected.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        violations.AddRange(actual.Where(c => !expectedNames.Contains(c.Name))
            .Select(c => $"Schema change in {sourceTable}: unexpected column {c.Name} ({c.DataType})."));
        return violations;
    }

    /// <summary>Whether every expected column is there with its expected type, so the batch can be read at all.</summary>
    public static bool CanRead(IReadOnlyList<SourceColumn> expected, IReadOnlyList<SourceColumn> actual) =>
        expected.All(actual.Contains);

    /// <summary>Row count and missing values of a computed batch.</summary>
    public IReadOnlyList<string> CheckRows(RawBatch batch, FeatureFrame frame, string? labelColumn)
    {
        var limits = options.Value;
        var violations = new List<string>();
        var rows = frame.RowCount;

        if (rows < limits.MinimumRows)
            violations.Add($"Batch {batch.BatchId} of {batch.SourceTable} has {rows} rows; a feature table version needs at least {limits.MinimumRows}.");
        if (rows != batch.RowCount)
            violations.Add($"Batch {batch.BatchId} was registered with {batch.RowCount} rows but {batch.SourceTable} holds {rows} of them.");
        if (rows == 0)
            return violations;

        foreach (var column in frame.Columns)
        {
            var missing = column.Type == FeatureType.Numeric
                ? frame.Numeric[column.Name].Count(double.IsNaN)
                : frame.Categorical[column.Name].Count(v => v is null);
            AddNullRateViolation(violations, $"Feature {column.Name}", missing, rows, limits.MaxNullRate);
        }
        if (labelColumn is not null && frame.Labels is { } labels)
            AddNullRateViolation(violations, $"Label {labelColumn}", labels.Count(double.IsNaN), rows, limits.MaxNullRate);

        return violations;
    }

    private static void AddNullRateViolation(List<string> violations, string what, int missing, int rows, double maxNullRate)
    {
        var rate = (double)missing / rows;
        if (rate > maxNullRate)
            violations.Add($"{what} is null in {missing} of {rows} rows ({rate * 100:0.0}%), above the {maxNullRate * 100:0.0}% limit.");
    }
}
