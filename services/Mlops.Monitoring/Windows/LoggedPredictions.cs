using Dapper;
using Mlops.Hosting.Data;
using Mlops.Monitoring.Drift;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// Reads Serving's inference log (serving.inference_log). Batches are streamed row by row through a data reader into
/// per-window histograms, so a batch of millions of rows never sits in memory; the window queries let PostgreSQL do the
/// work (join with ground truth, rank sums, latency percentile) and return a handful of numbers. Shadow rows — a
/// challenger scored on the side — are never read: nobody was served those predictions.
/// </summary>
public sealed class LoggedPredictions
{
    public async Task<IReadOnlyList<int>> VersionsInBatchAsync(DbSession session, Guid batchId, string modelName, CancellationToken cancellationToken) =>
        [.. await session.Connection.QueryAsync<int>(new CommandDefinition("""
            SELECT DISTINCT model_version FROM serving.inference_log
            WHERE log_batch_id = @BatchId AND model_name = @ModelName AND NOT shadow
            ORDER BY model_version
            """, new { BatchId = batchId, ModelName = modelName }, session.Transaction, cancellationToken: cancellationToken))];

    /// <summary>The batch's rows of one version, counted into the windows they were served in.</summary>
    public async Task<IReadOnlyCollection<WindowBatch>> ReadBatchAsync(DbSession session, Guid batchId, MonitoredVersion version, TimeSpan windowSize,
        int rawValueLimit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(BatchQuery, session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid>("batch_id", NpgsqlDbType.Uuid) { TypedValue = batchId });
        command.Parameters.Add(new NpgsqlParameter<string>("model_name", NpgsqlDbType.Text) { TypedValue = version.ModelName });
        command.Parameters.Add(new NpgsqlParameter<int>("version", NpgsqlDbType.Integer) { TypedValue = version.Version });

        var windows = new Dictionary<DateTime, WindowBatch>();
        WindowBatch? current = null;
        var features = new LoggedFeatures([.. version.NumericFeatures.Select(f => f.Name)], [.. version.CategoricalFeatures.Select(f => f.Name)]);
        int numeric = version.NumericFeatures.Count, categorical = version.CategoricalFeatures.Count;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var servedAt = reader.GetFieldValue<DateTime>(0);
            if (current is null || !current.Window.Contains(servedAt))
            {
                var window = TimeWindow.Containing(servedAt, windowSize);
                if (!windows.TryGetValue(window.Start, out current))
                    windows[window.Start] = current = new WindowBatch(version, window, rawValueLimit);
            }

            current.AddRow(servedAt, reader.GetDouble(1));
            features.Read(reader, 2);
            for (var i = 0; i < numeric; i++)
                current.AddNumeric(i, features.Numeric[i]);
            for (var i = 0; i < categorical; i++)
                current.AddCategorical(i, features.Categorical[i]);
        }
        return windows.Values;
    }

    /// <summary>
    /// The window's predictions whose ground truth has landed, reduced by PostgreSQL to what accuracy and AUC need (one sort,
    /// whatever the number of rows): labelled rows, positives, rows the decision threshold classifies correctly, the positives'
    /// rank sum.
    /// </summary>
    public async Task<LabelledWindow> LabelledAsync(DbSession session, string modelName, int version, TimeWindow window, double decisionThreshold,
        CancellationToken cancellationToken) =>
        await session.Connection.QuerySingleAsync<LabelledWindow>(new CommandDefinition("""
            SELECT count(*) AS Count,
                   count(*) FILTER (WHERE label = 1) AS Positives,
                   count(*) FILTER (WHERE (prediction >= @DecisionThreshold) = (label = 1)) AS Correct,
                   coalesce(sum(average_rank) FILTER (WHERE label = 1), 0) AS PositiveRankSum
            FROM (
                SELECT g.label, l.prediction,
                       rank() OVER (ORDER BY l.prediction) + (count(*) OVER (PARTITION BY l.prediction) - 1) * 0.5::double precision AS average_rank
                FROM serving.inference_log l
                JOIN monitoring.ground_truth g ON g.request_id = l.request_id AND g.row_index = l.row_index
                WHERE l.model_name = @ModelName AND l.model_version = @Version AND NOT l.shadow
                  AND l.served_at >= @Start AND l.served_at < @End AND l.prediction <> 'NaN'::double precision
            ) labelled
            """, new { ModelName = modelName, Version = version, window.Start, window.End, DecisionThreshold = decisionThreshold },
            session.Transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// The serving latency p99 of a window, by PostgreSQL's percentile_cont (the definition of <see cref="LatencyPercentile"/>).
    /// Batch scoring's rows (source = 'batch') count for drift, not here: nobody waited for them.
    /// </summary>
    public async Task<DriftMeasurement> LatencyP99Async(DbSession session, string modelName, int version, TimeWindow window,
        CancellationToken cancellationToken)
    {
        var (count, p99) = await session.Connection.QuerySingleAsync<(long Count, double? P99)>(new CommandDefinition("""
            SELECT count(*), percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms)
            FROM serving.inference_log
            WHERE model_name = @ModelName AND model_version = @Version AND NOT shadow AND source = 'online'
              AND served_at >= @Start AND served_at < @End
              AND latency_ms > '-Infinity'::double precision AND latency_ms < 'Infinity'::double precision
            """, new { ModelName = modelName, Version = version, window.Start, window.End }, session.Transaction,
            cancellationToken: cancellationToken));

        return p99 is { } value
            ? DriftMeasurement.Computed(DriftMetric.LatencyP99, value, count)
            : DriftMeasurement.NotComputable(DriftMetric.LatencyP99, "the window has no latencies");
    }

    /// <summary>
    /// Each row's features document read once, as jsonb's text, and the monitored features extracted from it by
    /// <see cref="LoggedFeatures"/> (PostgreSQL pulling 20 features out of each row took about 2 µs per value).
    /// </summary>
    private const string BatchQuery = """
        SELECT served_at, prediction, features
        FROM serving.inference_log
        WHERE log_batch_id = @batch_id AND model_name = @model_name AND model_version = @version AND NOT shadow
        """;
}
