using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Features;

/// <summary>The register of raw batches upstream pipelines landed.</summary>
public sealed class RawBatches(NpgsqlDataSource dataSource)
{
    public Task RegisterAsync(DbSession session, RawBatch batch, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO raw.batches (batch_id, source_table, row_count, producer, description, environment)
            VALUES (@BatchId, @SourceTable, @RowCount, @Producer, @Description, @Environment)
            """, batch, session.Transaction, cancellationToken: cancellationToken));

    public async Task<RawBatch?> FindAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RawBatch>(new CommandDefinition(
            $"{SelectSql} WHERE batch_id = @batchId", new { batchId }, cancellationToken: cancellationToken));
    }

    /// <summary>The latest batch of the source table in one environment: a run never sees another environment's batches.</summary>
    public async Task<RawBatch?> LatestAsync(string sourceTable, string environment, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RawBatch>(new CommandDefinition(
            $"{SelectSql} WHERE source_table = @sourceTable AND environment = @environment ORDER BY landed_at DESC, batch_id LIMIT 1",
            new { sourceTable, environment }, cancellationToken: cancellationToken));
    }

    private const string SelectSql = """
        SELECT batch_id AS BatchId, source_table AS SourceTable, row_count AS RowCount, producer AS Producer,
               description AS Description, landed_at AS LandedAt, environment AS Environment
        FROM raw.batches
        """;
}
