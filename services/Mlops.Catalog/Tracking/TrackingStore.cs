using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Tracking;

/// <summary>Training runs: parameters, metrics, the code version and the feature version each run read.</summary>
public sealed class TrackingStore(NpgsqlDataSource dataSource)
{
    public Task StartAsync(DbSession session, TrackingRun run, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO tracking.runs (run_id, experiment, pipeline_run_id, status, trainer, code_version, parameters, feature_table, feature_version, principal, trace_id)
            VALUES (@RunId, @Experiment, @PipelineRunId, 'running', @Trainer, @CodeVersion, @Parameters::jsonb, @FeatureTable, @FeatureVersion, @Principal, @TraceId)
            """, new
            {
                run.RunId, run.Experiment, run.PipelineRunId, run.Trainer, run.CodeVersion, Parameters = CatalogJson.Serialize(run.Parameters),
                run.FeatureTable, run.FeatureVersion, run.Principal, run.TraceId,
            }, session.Transaction, cancellationToken: cancellationToken));

    public Task FinishAsync(DbSession session, Guid runId, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE tracking.runs SET status = 'finished', metrics = @Metrics::jsonb, finished_at = now() WHERE run_id = @runId
            """, new { runId, Metrics = CatalogJson.Serialize(metrics) }, session.Transaction, cancellationToken: cancellationToken));

    public Task FailAsync(DbSession session, Guid runId, string error, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE tracking.runs SET status = 'failed', error = @error, finished_at = now() WHERE run_id = @runId
            """, new { runId, error }, session.Transaction, cancellationToken: cancellationToken));

    public async Task<TrackingRun?> FindAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT run_id AS RunId, experiment AS Experiment, pipeline_run_id AS PipelineRunId, status AS Status, trainer AS Trainer,
                   code_version AS CodeVersion, parameters::text AS Parameters, metrics::text AS Metrics, feature_table AS FeatureTable,
                   feature_version AS FeatureVersion, principal AS Principal, trace_id AS TraceId, error AS Error,
                   started_at AS StartedAt, finished_at AS FinishedAt
            FROM tracking.runs WHERE run_id = @runId
            """, new { runId }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new TrackingRun
            {
                RunId = row.RunId, Experiment = row.Experiment, PipelineRunId = row.PipelineRunId, Status = row.Status, Trainer = row.Trainer,
                CodeVersion = row.CodeVersion, Parameters = CatalogJson.Deserialize<Dictionary<string, string>>(row.Parameters),
                Metrics = CatalogJson.Deserialize<Dictionary<string, double>>(row.Metrics), FeatureTable = row.FeatureTable,
                FeatureVersion = row.FeatureVersion, Principal = row.Principal, TraceId = row.TraceId, Error = row.Error,
                StartedAt = row.StartedAt, FinishedAt = row.FinishedAt,
            };
    }

    private sealed class Row
    {
        public Guid RunId { get; set; }
        public string Experiment { get; set; } = "";
        public Guid? PipelineRunId { get; set; }
        public string Status { get; set; } = "";
        public string Trainer { get; set; } = "";
        public string CodeVersion { get; set; } = "";
        public string Parameters { get; set; } = "{}";
        public string Metrics { get; set; } = "{}";
        public string FeatureTable { get; set; } = "";
        public int FeatureVersion { get; set; }
        public string Principal { get; set; } = "";
        public string? TraceId { get; set; }
        public string? Error { get; set; }
        public DateTime StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }
    }
}
