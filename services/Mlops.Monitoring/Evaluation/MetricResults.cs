using Dapper;
using Mlops.Hosting.Data;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Evaluation;

/// <summary>monitoring.metric_results: every metric of every evaluated window; a window evaluated again replaces its results.</summary>
public sealed class MetricResults
{
    public async Task SaveAsync(DbSession session, WindowKey window, IReadOnlyList<MetricResult> results, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO monitoring.metric_results (model_name, version, subject_kind, subject, metric, window_start, window_end, status, value,
                threshold, breached, baseline, p_value, method, sample_size, reason)
            SELECT @ModelName, @Version, r.subject_kind, r.subject, r.metric, @Start, @End, r.status, r.value,
                r.threshold, r.breached, r.baseline, r.p_value, r.method, r.sample_size, r.reason
            FROM unnest(@SubjectKinds, @Subjects, @Metrics, @Statuses, @Values, @Thresholds, @Breached, @Baselines, @PValues, @Methods, @SampleSizes, @Reasons)
                AS r(subject_kind, subject, metric, status, value, threshold, breached, baseline, p_value, method, sample_size, reason)
            ON CONFLICT (model_name, version, subject_kind, subject, metric, window_start) DO UPDATE SET
                window_end = excluded.window_end, status = excluded.status, value = excluded.value, threshold = excluded.threshold,
                breached = excluded.breached, baseline = excluded.baseline, p_value = excluded.p_value, method = excluded.method,
                sample_size = excluded.sample_size, reason = excluded.reason, evaluated_at = now()
            """, new
            {
                window.ModelName, window.Version, window.Window.Start, window.Window.End,
                SubjectKinds = results.Select(r => r.SubjectKind).ToArray(),
                Subjects = results.Select(r => r.Subject).ToArray(),
                Metrics = results.Select(r => r.Metric).ToArray(),
                Statuses = results.Select(r => r.Status).ToArray(),
                Values = results.Select(r => r.Value).ToArray(),
                Thresholds = results.Select(r => r.Threshold).ToArray(),
                Breached = results.Select(r => r.Breached).ToArray(),
                Baselines = results.Select(r => Finite(r.Baseline)).ToArray(),
                PValues = results.Select(r => Finite(r.PValue)).ToArray(),
                Methods = results.Select(r => r.Method).ToArray(),
                SampleSizes = results.Select(r => r.SampleSize).ToArray(),
                Reasons = results.Select(r => r.Reason).ToArray(),
            }, session.Transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// For each (subject kind, subject, metric), the windows judged most recently (newest first, at most <paramref name="windows"/>):
    /// the history the confirmation rule reads.
    /// </summary>
    public async Task<ILookup<(string SubjectKind, string Subject, string Metric), (DateTime WindowStart, bool Breached)>> RecentJudgedAsync(
        DbSession session, string modelName, int version, IReadOnlyList<MetricResult> keys, int windows, CancellationToken cancellationToken)
    {
        var rows = await session.Connection.QueryAsync<(string SubjectKind, string Subject, string Metric, DateTime WindowStart, bool Breached)>(
            new CommandDefinition("""
                SELECT k.subject_kind, k.subject, k.metric, h.window_start, h.breached
                FROM unnest(@Kinds, @Subjects, @Metrics) AS k(subject_kind, subject, metric)
                CROSS JOIN LATERAL (
                    SELECT r.window_start, r.breached
                    FROM monitoring.metric_results r
                    WHERE r.model_name = @ModelName AND r.version = @Version
                      AND r.subject_kind = k.subject_kind AND r.subject = k.subject AND r.metric = k.metric
                      AND r.status IN ('breached', 'ok')
                    ORDER BY r.window_start DESC
                    LIMIT @Windows) h
                ORDER BY k.subject_kind, k.subject, k.metric, h.window_start DESC
                """, new
                {
                    ModelName = modelName, Version = version, Windows = windows,
                    Kinds = keys.Select(k => k.SubjectKind).ToArray(),
                    Subjects = keys.Select(k => k.Subject).ToArray(),
                    Metrics = keys.Select(k => k.Metric).ToArray(),
                }, session.Transaction, cancellationToken: cancellationToken));
        return rows.ToLookup(r => (r.SubjectKind, r.Subject, r.Metric), r => (r.WindowStart, r.Breached));
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
