using Dapper;
using Mlops.Api.Responses;
using Npgsql;

namespace Mlops.Api.Data;

/// <summary>Reads Mlops.Monitoring's results and alerts (read only: the monitoring service owns the tables and every write to them).</summary>
public sealed class MonitoringQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<MonitoringPoint>> PointsAsync(string modelName, DateTimeOffset from, DateTimeOffset to, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // The newest windows when the limit cuts, returned oldest first so a chart reads left to right.
            var rows = await connection.QueryAsync<MonitoringPoint>(new CommandDefinition("""
                SELECT * FROM (
                    SELECT version AS Version, subject_kind AS SubjectKind, subject AS Subject, metric AS Metric, window_start AS WindowStart,
                           window_end AS WindowEnd, status AS Status, value AS Value, threshold AS Threshold, breached AS Breached, method AS Method,
                           sample_size AS SampleSize, reason AS Reason
                    FROM monitoring.metric_results
                    WHERE model_name = @modelName AND window_start >= @from AND window_start < @to
                    ORDER BY window_start DESC, subject_kind, subject, metric
                    LIMIT @limit) newest
                ORDER BY WindowStart, SubjectKind, Subject, Metric
                """, new { modelName, from = from.UtcDateTime, to = to.UtcDateTime, limit }, cancellationToken: cancellationToken));
            return rows.ToList();
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Monitoring has not migrated its schema in this database yet: nothing is monitored.
            return [];
        }
    }

    public async Task<IReadOnlyList<MonitoringAlert>> AlertsAsync(string modelName, DateTimeOffset from, DateTimeOffset to, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // Every alert open at some time within [from, to): opened before to, and not closed before from.
            var rows = await connection.QueryAsync<MonitoringAlert>(new CommandDefinition("""
                SELECT id AS Id, version AS Version, kind AS Kind, subject_kind AS SubjectKind, subject AS Subject, metric AS Metric, value AS Value,
                       threshold AS Threshold, window_start AS WindowStart, window_end AS WindowEnd, windows_breached AS WindowsBreached,
                       windows_considered AS WindowsConsidered, opened_at AS OpenedAt, closed_at AS ClosedAt
                FROM monitoring.alerts
                WHERE model_name = @modelName AND opened_at < @to AND (closed_at IS NULL OR closed_at >= @from)
                ORDER BY opened_at DESC LIMIT @limit
                """, new { modelName, from = from.UtcDateTime, to = to.UtcDateTime, limit }, cancellationToken: cancellationToken));
            return rows.ToList();
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
    }
}
