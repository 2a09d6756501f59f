using Microsoft.Extensions.Options;
using Mlops.Catalog.Features;

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

    /// <summary>The null-rate limit of a definition that sets none.</summary>
    public double MaxNullRate => options.Value.MaxNullRate;

    /// <summary>Row count of a computed batch: enough rows, and as many as the batch was registered with.</summary>
    public IReadOnlyList<string> CheckRowCount(RawBatch batch, long rows)
    {
        var limits = options.Value;
        var violations = new List<string>();
        if (rows < limits.MinimumRows)
            violations.Add($"Batch {batch.BatchId} of {batch.SourceTable} has {rows} rows; a feature table version needs at least {limits.MinimumRows}.");
        if (rows != batch.RowCount)
            violations.Add($"Batch {batch.BatchId} was registered with {batch.RowCount} rows but {batch.SourceTable} holds {rows} of them.");
        return violations;
    }
}
