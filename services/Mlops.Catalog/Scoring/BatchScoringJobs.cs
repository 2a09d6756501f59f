using Dapper;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Scoring;

/// <summary>
/// scoring.jobs: the durable row of a batch scoring job. Whoever queues a job (the API, the batch scheduler, the ScoreBatch
/// consumer) writes it in the transaction that sends the command, keyed by the job id, so a job is one row however often
/// it was queued; the worker then records its progress on it.
/// </summary>
public sealed class BatchScoringJobs(NpgsqlDataSource dataSource)
{
    public const string OnDemand = "on_demand";
    public const string Schedule = "schedule";
    public const string Pipeline = "pipeline";

    public static IReadOnlyList<string> Triggers { get; } = [OnDemand, Schedule, Pipeline];

    /// <summary>Records the job the command asks for, queued; false when it was recorded before.</summary>
    public async Task<bool> QueueAsync(DbSession session, ScoreBatch command, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO scoring.jobs (job_id, correlation_id, model_name, environment, model_version, feature_version, entity_keys, trigger, requested_by)
            VALUES (@JobId, @CorrelationId, @ModelName, @Environment, @ModelVersion, @FeatureVersion, @EntityKeys, @Trigger, @Principal)
            ON CONFLICT (job_id) DO NOTHING
            """, new
            {
                command.JobId, CorrelationId = command.CorrelationId == Guid.Empty ? command.JobId : command.CorrelationId, command.ModelName,
                command.Environment, command.ModelVersion, command.FeatureVersion, EntityKeys = command.EntityKeys?.ToArray(), command.Trigger,
                command.Principal,
            }, session.Transaction, cancellationToken: cancellationToken)) == 1;

    public async Task<BatchScoringJob?> FindAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(FindSql, new { jobId }, cancellationToken: cancellationToken));
        return row?.ToJob();
    }

    /// <summary>A model's latest jobs, newest first.</summary>
    public async Task<IReadOnlyList<BatchScoringJob>> ListAsync(string modelName, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition($"""
            {SelectSql} WHERE model_name = @modelName ORDER BY created_at DESC, job_id LIMIT @limit
            """, new { modelName, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToJob())];
    }

    private const string FindSql = $"{SelectSql} WHERE job_id = @jobId";

    private const string SelectSql = """
        SELECT job_id AS JobId, correlation_id AS CorrelationId, model_name AS ModelName, environment AS Environment, model_version AS ModelVersion,
               feature_table AS FeatureTable, feature_version AS FeatureVersion, cardinality(entity_keys) AS EntityKeyCount, trigger AS Trigger,
               requested_by AS RequestedBy, state AS State, chunk_size AS ChunkSize, chunk_count AS ChunkCount, chunks_done AS ChunksDone,
               rows_scored AS RowsScored, errors::text AS Errors, failure AS Failure, created_at AS CreatedAt, started_at AS StartedAt,
               finished_at AS FinishedAt
        FROM scoring.jobs
        """;

    private sealed class JobRow
    {
        public Guid JobId { get; set; }
        public Guid CorrelationId { get; set; }
        public string ModelName { get; set; } = "";
        public string Environment { get; set; } = "";
        public int? ModelVersion { get; set; }
        public string? FeatureTable { get; set; }
        public int? FeatureVersion { get; set; }
        public int? EntityKeyCount { get; set; }
        public string Trigger { get; set; } = "";
        public string RequestedBy { get; set; } = "";
        public string State { get; set; } = "";
        public int? ChunkSize { get; set; }
        public int? ChunkCount { get; set; }
        public int ChunksDone { get; set; }
        public long RowsScored { get; set; }
        public string Errors { get; set; } = "[]";
        public string? Failure { get; set; }
        public DateTime CreatedAt { get; set; }
        public DateTime? StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }

        public BatchScoringJob ToJob() => new()
        {
            JobId = JobId, CorrelationId = CorrelationId, ModelName = ModelName, Environment = Environment, ModelVersion = ModelVersion,
            FeatureTable = FeatureTable, FeatureVersion = FeatureVersion, EntityKeyCount = EntityKeyCount, Trigger = Trigger, RequestedBy = RequestedBy,
            State = State, ChunkSize = ChunkSize, ChunkCount = ChunkCount, ChunksDone = ChunksDone, RowsScored = RowsScored,
            Errors = CatalogJson.Deserialize<List<string>>(Errors), Failure = Failure, CreatedAt = CreatedAt, StartedAt = StartedAt, FinishedAt = FinishedAt,
        };
    }
}
