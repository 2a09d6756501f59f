using Dapper;
using Mlops.Hosting.Data;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// monitoring.windows: one row per model, version and window. Writers take the row lock (SELECT ... FOR UPDATE) before
/// they read-merge-write a window, and every writer locks windows in the same order — model, version, window start —
/// so concurrent batches into one window never lose counts and never deadlock one another.
/// </summary>
public sealed class WindowStore
{
    private sealed record WindowRow(long RowCount, string Histograms, string? RawValues);

    private sealed record DueRow(int Version, DateTime WindowStart, DateTime WindowEnd, long Revision);

    /// <summary>Adds a batch's contribution to its window, creating the window on its first rows.</summary>
    public async Task MergeAsync(DbSession session, WindowBatch batch, int rawValueLimit, CancellationToken cancellationToken)
    {
        var key = new { batch.Version.ModelName, batch.Version.Version, batch.Window.Start, batch.Window.End };
        while (true)
        {
            var stored = await session.Connection.QuerySingleOrDefaultAsync<WindowRow>(new CommandDefinition("""
                SELECT row_count AS RowCount, histograms::text AS Histograms, raw_values::text AS RawValues
                FROM monitoring.windows
                WHERE model_name = @ModelName AND version = @Version AND window_start = @Start
                FOR UPDATE
                """, key, session.Transaction, cancellationToken: cancellationToken));

            if (stored is null)
            {
                // Another batch may create the window first: the insert then waits for it, does nothing, and the loop merges.
                var created = await session.Connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO monitoring.windows
                        (model_name, version, window_start, window_end, row_count, first_served_at, last_served_at, histograms, raw_values)
                    VALUES (@ModelName, @Version, @Start, @End, @Rows, @FirstServedAt, @LastServedAt, @Histograms::jsonb, @RawValues::jsonb)
                    ON CONFLICT (model_name, version, window_start) DO NOTHING
                    """, new
                    {
                        key.ModelName, key.Version, key.Start, key.End, batch.Rows, batch.FirstServedAt, batch.LastServedAt,
                        Histograms = batch.Histograms.ToJson(), RawValues = batch.Sample?.ToJson(),
                    }, session.Transaction, cancellationToken: cancellationToken));
                if (created == 1)
                    return;
                continue;
            }

            var histograms = WindowHistograms.FromJson(stored.Histograms);
            histograms.Merge(batch.Histograms);
            WindowSample? sample = null;
            if (stored.RawValues is not null && batch.Sample is not null && stored.RowCount + batch.Rows <= rawValueLimit)
            {
                sample = WindowSample.FromJson(stored.RawValues);
                sample.Append(batch.Sample);
            }

            await session.Connection.ExecuteAsync(new CommandDefinition("""
                UPDATE monitoring.windows
                SET row_count = row_count + @Rows,
                    first_served_at = least(first_served_at, @FirstServedAt),
                    last_served_at = greatest(last_served_at, @LastServedAt),
                    histograms = @Histograms::jsonb,
                    raw_values = @RawValues::jsonb,
                    revision = revision + 1,
                    updated_at = now()
                WHERE model_name = @ModelName AND version = @Version AND window_start = @Start
                """, new
                {
                    key.ModelName, key.Version, key.Start, batch.Rows, batch.FirstServedAt, batch.LastServedAt,
                    Histograms = histograms.ToJson(), RawValues = sample?.ToJson(),
                }, session.Transaction, cancellationToken: cancellationToken));
            return;
        }
    }

    /// <summary>
    /// Marks the windows holding the predictions these labels are for as changed, so they are evaluated again with them.
    /// Labels of predictions not logged (yet) mark nothing: their window is changed anyway when the prediction arrives.
    /// </summary>
    public async Task<int> MarkLabelledAsync(DbSession session, Guid[] requestIds, int[] rowIndexes, TimeSpan windowSize, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            WITH labelled AS (
                SELECT DISTINCT l.model_name, l.model_version, l.served_at
                FROM unnest(@RequestIds, @RowIndexes) AS g(request_id, row_index)
                JOIN serving.inference_log l ON l.request_id = g.request_id AND l.row_index = g.row_index
                WHERE NOT l.shadow),
            affected AS (
                SELECT w.model_name, w.version, w.window_start
                FROM monitoring.windows w
                JOIN labelled x ON x.model_name = w.model_name AND x.model_version = w.version
                    AND w.window_start <= x.served_at AND w.window_start > x.served_at - make_interval(secs => @WindowSeconds)
                    AND x.served_at < w.window_end
                ORDER BY w.model_name, w.version, w.window_start
                FOR UPDATE OF w)
            UPDATE monitoring.windows w
            SET revision = revision + 1, updated_at = now()
            WHERE (w.model_name, w.version, w.window_start) IN (SELECT model_name, version, window_start FROM affected)
            """, new { RequestIds = requestIds, RowIndexes = rowIndexes, WindowSeconds = windowSize.TotalSeconds },
            session.Transaction, cancellationToken: cancellationToken));

    /// <summary>Models with a window that closed (past the grace period) and changed since it was last evaluated.</summary>
    public async Task<IReadOnlyList<string>> ModelsDueAsync(DbSession session, TimeSpan grace, CancellationToken cancellationToken) =>
        [.. await session.Connection.QueryAsync<string>(new CommandDefinition("""
            SELECT DISTINCT model_name FROM monitoring.windows
            WHERE evaluated_revision IS DISTINCT FROM revision AND window_end <= now() - make_interval(secs => @GraceSeconds)
            ORDER BY model_name
            """, new { GraceSeconds = grace.TotalSeconds }, session.Transaction, cancellationToken: cancellationToken))];

    /// <summary>Locks and lists a model's windows due for evaluation, in lock order (version, start).</summary>
    public async Task<IReadOnlyList<WindowKey>> LockDueAsync(DbSession session, string modelName, TimeSpan grace, CancellationToken cancellationToken)
    {
        var rows = await session.Connection.QueryAsync<DueRow>(new CommandDefinition("""
            SELECT version AS Version, window_start AS WindowStart, window_end AS WindowEnd, revision AS Revision
            FROM monitoring.windows
            WHERE model_name = @ModelName AND evaluated_revision IS DISTINCT FROM revision
              AND window_end <= now() - make_interval(secs => @GraceSeconds)
            ORDER BY version, window_start
            FOR UPDATE
            """, new { ModelName = modelName, GraceSeconds = grace.TotalSeconds }, session.Transaction, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new WindowKey(modelName, r.Version, new TimeWindow(r.WindowStart, r.WindowEnd), r.Revision))];
    }

    public async Task<StoredWindow> LoadAsync(DbSession session, WindowKey key, CancellationToken cancellationToken)
    {
        var row = await session.Connection.QuerySingleAsync<WindowRow>(new CommandDefinition("""
            SELECT row_count AS RowCount, histograms::text AS Histograms, raw_values::text AS RawValues
            FROM monitoring.windows
            WHERE model_name = @ModelName AND version = @Version AND window_start = @Start
            """, new { key.ModelName, key.Version, key.Window.Start }, session.Transaction, cancellationToken: cancellationToken));
        return new StoredWindow(key, row.RowCount, WindowHistograms.FromJson(row.Histograms),
            row.RawValues is null ? null : WindowSample.FromJson(row.RawValues));
    }

    public async Task MarkEvaluatedAsync(DbSession session, WindowKey key, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE monitoring.windows SET evaluated_revision = @Revision, evaluated_at = now()
            WHERE model_name = @ModelName AND version = @Version AND window_start = @Start
            """, new { key.ModelName, key.Version, key.Window.Start, key.Revision }, session.Transaction, cancellationToken: cancellationToken));
}
