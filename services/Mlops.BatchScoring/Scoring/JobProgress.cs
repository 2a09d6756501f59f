using Dapper;
using Mlops.Catalog;
using Mlops.Catalog.Scoring;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.BatchScoring.Scoring;

/// <summary>The worker's SQL over scoring.jobs and scoring.job_chunks: what a job resolved to, which chunks are done, how it ended.</summary>
public sealed class JobProgress(NpgsqlDataSource dataSource)
{
    public async Task<long[]?> EntityKeysAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long[]?>(new CommandDefinition(
            "SELECT entity_keys FROM scoring.jobs WHERE job_id = @jobId", new { jobId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Pins what the job scores the first time it starts (the version and feature version it resolved, the chunk size), marks
    /// it running, and returns the chunk size it keeps for good: chunks of a resumed job must be the chunks it started with.
    /// </summary>
    public async Task<int> StartAsync(Guid jobId, BatchScoringPlan plan, int chunkSize, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<int>(new CommandDefinition("""
            UPDATE scoring.jobs
            SET state = 'running', started_at = coalesce(started_at, now()), model_version = @Version, feature_table = @FeatureTable,
                feature_version = @FeatureVersion, chunk_size = coalesce(chunk_size, @chunkSize)
            WHERE job_id = @jobId
            RETURNING chunk_size
            """, new { jobId, plan.Version.Version, plan.FeatureTable, plan.FeatureVersion, chunkSize }, cancellationToken: cancellationToken));
    }

    public async Task PlanChunksAsync(Guid jobId, int chunkCount, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE scoring.jobs SET chunk_count = @chunkCount, errors = @Errors::jsonb WHERE job_id = @jobId
            """, new { jobId, chunkCount, Errors = CatalogJson.Serialize(errors) }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlySet<int>> DoneChunksAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<int>(new CommandDefinition("SELECT chunk FROM scoring.job_chunks WHERE job_id = @jobId", new { jobId },
            cancellationToken: cancellationToken))).ToHashSet();
    }

    /// <summary>Ends the job completed, in the step's completing transaction; returns its totals.</summary>
    public Task<(long RowsScored, int ChunksDone)> CompleteAsync(DbSession session, Guid jobId, CancellationToken cancellationToken) =>
        session.Connection.QuerySingleAsync<(long, int)>(new CommandDefinition("""
            UPDATE scoring.jobs SET state = 'completed', finished_at = now() WHERE job_id = @jobId RETURNING rows_scored, chunks_done
            """, new { jobId }, session.Transaction, cancellationToken: cancellationToken));

    /// <summary>Ends the job failed with the reason, in the step's completing transaction. Chunks already written stay.</summary>
    public Task FailAsync(DbSession session, Guid jobId, string reason, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE scoring.jobs SET state = 'failed', failure = @reason, finished_at = now() WHERE job_id = @jobId
            """, new { jobId, reason = StorableText.Of(reason) }, session.Transaction, cancellationToken: cancellationToken));
}
