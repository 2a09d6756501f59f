using System.Globalization;
using Dapper;
using MassTransit;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Evaluation;

/// <summary>
/// monitoring.alerts and the events that announce them. A breach confirmed by the policy (k of the last n judged windows,
/// the latest among them) opens an alert — at most one open per model, version, subject and metric, enforced by a unique
/// index — and its event is published through the caller's outbox in the same transaction: exactly one event per sustained
/// breach. The first judged window that no longer breaches closes it, so a recurrence opens a new alert and alerts again.
/// </summary>
public sealed class Alerts(MetricResults results, ILogger<Alerts> logger)
{
    /// <summary>The Principal of every event monitoring raises on its own.</summary>
    public const string Principal = "monitoring";

    /// <summary>Source of the DataQualityViolated monitoring raises.</summary>
    public const string Source = "monitoring";

    /// <summary>Opens and closes the alerts of a window just judged; returns how many opened.</summary>
    public async Task<int> UpdateAsync(DbSession session, IPublishEndpoint publisher, ModelName model, WindowKey window, IReadOnlyList<MetricResult> judged,
        MonitoringPolicy policy, CancellationToken cancellationToken)
    {
        var candidates = judged.Where(r => r.IsJudged && policy.AlertKindOf(r.SubjectKind, r.Metric) is not null).ToList();
        if (candidates.Count == 0)
            return 0;

        var history = await results.RecentJudgedAsync(session, model.FullName, window.Version, candidates, policy.ConfirmationWindows, cancellationToken);
        var opened = 0;
        foreach (var result in candidates)
        {
            var recent = history[(result.SubjectKind, result.Subject, result.Metric)].ToList();
            // Evaluated again for late rows or labels while a later window was judged already: the latest window decides.
            if (recent.Count == 0 || recent[0].WindowStart != window.Window.Start)
                continue;

            if (policy.IsConfirmed([.. recent.Select(r => r.Breached)]))
            {
                var alert = new Alert(Guid.NewGuid(), policy.AlertKindOf(result.SubjectKind, result.Metric)!, result, recent.Count(r => r.Breached), recent.Count);
                if (await OpenAsync(session, window, alert, cancellationToken))
                {
                    await AnnounceAsync(publisher, model, window, alert, cancellationToken);
                    opened++;
                    logger.LogWarning(
                        "Opened {AlertKind} alert {AlertId} on {ModelName} v{Version} {Subject} {Metric}: {Value} against {Threshold}, breached in {Breached} of the last {Considered} windows",
                        alert.Kind, alert.Id, model.FullName, window.Version, result.Subject, result.Metric, result.Value, result.Threshold,
                        alert.WindowsBreached, alert.WindowsConsidered);
                }
            }
            else if (!result.Breached && await CloseAsync(session, window, result, cancellationToken) is > 0)
            {
                logger.LogInformation("Closed the alert on {ModelName} v{Version} {Subject} {Metric}: window {WindowStart:O} no longer breaches",
                    model.FullName, window.Version, result.Subject, result.Metric, window.Window.Start);
            }
        }
        return opened;
    }

    private static async Task<bool> OpenAsync(DbSession session, WindowKey window, Alert alert, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO monitoring.alerts (id, model_name, version, kind, subject_kind, subject, metric, value, threshold,
                window_start, window_end, windows_breached, windows_considered)
            VALUES (@Id, @ModelName, @Version, @Kind, @SubjectKind, @Subject, @Metric, @Value, @Threshold,
                @Start, @End, @WindowsBreached, @WindowsConsidered)
            ON CONFLICT (model_name, version, subject_kind, subject, metric) WHERE closed_at IS NULL DO NOTHING
            """, new
            {
                alert.Id, window.ModelName, window.Version, alert.Kind, alert.Result.SubjectKind, alert.Result.Subject, alert.Result.Metric,
                alert.Result.Value, alert.Result.Threshold, window.Window.Start, window.Window.End, alert.WindowsBreached, alert.WindowsConsidered,
            }, session.Transaction, cancellationToken: cancellationToken)) == 1;

    private static async Task<int> CloseAsync(DbSession session, WindowKey window, MetricResult result, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE monitoring.alerts SET closed_at = now(), closed_window_start = @Start
            WHERE model_name = @ModelName AND version = @Version AND subject_kind = @SubjectKind AND subject = @Subject AND metric = @Metric
              AND closed_at IS NULL
            """, new { window.ModelName, window.Version, result.SubjectKind, result.Subject, result.Metric, window.Window.Start },
            session.Transaction, cancellationToken: cancellationToken));

    private static Task AnnounceAsync(IPublishEndpoint publisher, ModelName model, WindowKey window, Alert alert, CancellationToken cancellationToken)
    {
        var result = alert.Result;
        var (value, threshold) = (result.Value!.Value, result.Threshold!.Value);
        var (start, end) = (new DateTimeOffset(window.Window.Start), new DateTimeOffset(window.Window.End));
        return alert.Kind switch
        {
            AlertKinds.Drift => publisher.Publish(new DriftDetected
            {
                CorrelationId = alert.Id, ModelName = model.FullName, Environment = model.Catalog, Principal = Principal, ModelVersion = window.Version,
                Feature = result.Subject, Metric = result.Metric, Value = value, Threshold = threshold, WindowStart = start, WindowEnd = end,
                WindowsBreached = alert.WindowsBreached, WindowsConsidered = alert.WindowsConsidered,
            }, cancellationToken),
            AlertKinds.DataQuality => publisher.Publish(new DataQualityViolated
            {
                CorrelationId = alert.Id, ModelName = model.FullName, Environment = model.Catalog, Principal = Principal, Source = Source,
                Violations =
                [
                    string.Create(CultureInfo.InvariantCulture,
                        $"{result.Subject}: {result.Metric} {value:0.####} above {threshold:0.####} in {alert.WindowsBreached} of the last {alert.WindowsConsidered} judged windows of v{window.Version}, latest [{start:O}, {end:O}) over {result.SampleSize} rows"),
                ],
            }, cancellationToken),
            AlertKinds.Performance => publisher.Publish(new ModelPerformanceDegraded
            {
                CorrelationId = alert.Id, ModelName = model.FullName, Environment = model.Catalog, Principal = Principal, ModelVersion = window.Version,
                Metric = result.Metric, Baseline = result.Baseline!.Value, Value = value, Drop = result.Baseline.Value - value, Threshold = threshold,
                LabeledRows = (int)Math.Min(int.MaxValue, result.SampleSize), WindowStart = start, WindowEnd = end,
            }, cancellationToken),
            AlertKinds.Latency => publisher.Publish(new LatencyBreached
            {
                CorrelationId = alert.Id, ModelName = model.FullName, Environment = model.Catalog, Principal = Principal, ModelVersion = window.Version,
                P99Milliseconds = value, ThresholdMilliseconds = threshold, WindowStart = start, WindowEnd = end,
                WindowsBreached = alert.WindowsBreached, WindowsConsidered = alert.WindowsConsidered,
            }, cancellationToken),
            _ => throw new InvalidOperationException($"No event announces a '{alert.Kind}' alert."),
        };
    }

    private sealed record Alert(Guid Id, string Kind, MetricResult Result, int WindowsBreached, int WindowsConsidered);
}
