using Dapper;
using Mlops.Contracts;
using Mlops.Hosting.Data;

namespace Mlops.Catalog.Raw;

/// <summary>
/// Holds a <see cref="RawDataLanded"/> against the batch it announces: raw.batches must hold that batch, of that table, in
/// that environment, with that many rows. Every landing commits the batch and its event together, so a batch not there
/// when its event arrives is not a race but an announcement nothing backs (see docs/data.md).
/// </summary>
public static class LandedBatchCheck
{
    /// <summary>Why the event does not match its batch, or null when it does.</summary>
    public static async Task<string?> MismatchAsync(DbSession session, RawDataLanded landed, CancellationToken cancellationToken = default)
    {
        var batch = await session.Connection.QuerySingleOrDefaultAsync<Stored>(new CommandDefinition("""
            SELECT source_table AS SourceTable, environment AS Environment, row_count AS RowCount FROM raw.batches WHERE batch_id = @BatchId
            """, new { landed.BatchId }, session.Transaction, cancellationToken: cancellationToken));
        if (batch is null)
            return $"RawDataLanded announces batch {landed.BatchId} of {landed.SourceTable}, but raw.batches holds no such batch: land it first (mlops land, " +
                   "POST /api/raw/tables/{name}/batches), then replay this message.";

        var differences = new List<string>();
        if (batch.SourceTable != landed.SourceTable)
            differences.Add($"table {landed.SourceTable} announced, {batch.SourceTable} landed");
        if (batch.Environment != landed.Environment)
            differences.Add($"environment {landed.Environment} announced, {batch.Environment ?? "none"} landed");
        if (batch.RowCount != landed.RowCount)
            differences.Add($"{landed.RowCount} rows announced, {batch.RowCount} landed");
        return differences.Count == 0 ? null : $"RawDataLanded does not match batch {landed.BatchId}: {string.Join("; ", differences)}.";
    }

    private sealed class Stored
    {
        public string SourceTable { get; set; } = "";
        public string? Environment { get; set; }
        public long RowCount { get; set; }
    }
}
