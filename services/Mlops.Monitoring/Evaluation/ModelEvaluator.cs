using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;
using Mlops.Monitoring.Drift;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Evaluation;

/// <summary>
/// Evaluates a model's closed windows that changed since they were last evaluated, oldest first, as the schedule would
/// have on time: every metric is measured, judged by the model's policy and stored, then the alerts are opened or closed.
/// Runs in the caller's transaction under a per-model advisory lock, so two instances (or the schedule and an on-demand
/// MonitorModel) never evaluate one model at once and never raise one alert twice.
/// </summary>
public sealed class ModelEvaluator(
    WindowStore windows,
    ReferenceCache references,
    LoggedPredictions log,
    MetricResults results,
    Alerts alerts,
    IOptions<MonitoringOptions> options,
    MonitoringMetrics metrics,
    ILogger<ModelEvaluator> logger)
{
    /// <summary>Evaluates the model's due windows; returns how many were evaluated.</summary>
    public async Task<int> EvaluateAsync(DbSession session, IPublishEndpoint publisher, ModelName model, CancellationToken cancellationToken)
    {
        using var activity = MlopsTelemetry.Source.StartActivity("evaluate windows");
        activity?.SetTag(MlopsTelemetry.ModelTag, model.FullName);
        activity?.SetTag(MlopsTelemetry.EnvironmentTag, model.Catalog);

        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtextextended(@Key, 0))",
            new { Key = "mlops.monitoring.evaluate:" + model.FullName }, session.Transaction, cancellationToken: cancellationToken));

        var settings = options.Value;
        var policy = settings.PolicyFor(model);
        var due = await windows.LockDueAsync(session, model.FullName, settings.WindowGrace, cancellationToken);
        var opened = 0;
        foreach (var window in due.OrderBy(w => w.Window.Start).ThenBy(w => w.Version))
            opened += await EvaluateWindowAsync(session, publisher, model, window, policy, cancellationToken);

        activity?.SetTag("mlops.windows", due.Count);
        if (due.Count > 0)
            logger.LogInformation("Evaluated {Windows} windows of {ModelName}; {Alerts} alerts opened", due.Count, model.FullName, opened);
        return due.Count;
    }

    private async Task<int> EvaluateWindowAsync(DbSession session, IPublishEndpoint publisher, ModelName model, WindowKey window, MonitoringPolicy policy,
        CancellationToken cancellationToken)
    {
        using var activity = MlopsTelemetry.Source.StartActivity("compute drift");
        activity?.SetTag(MlopsTelemetry.ModelTag, model.FullName);
        activity?.SetTag(MlopsTelemetry.ModelVersionTag, window.Version);
        activity?.SetTag(MlopsTelemetry.EnvironmentTag, model.Catalog);
        activity?.SetTag("mlops.window_start", window.Window.Start.ToString("O"));

        var version = await references.GetAsync(session, model.FullName, window.Version, cancellationToken);
        if (version is null)
        {
            await windows.MarkEvaluatedAsync(session, window, cancellationToken);
            return 0;
        }

        var stored = await windows.LoadAsync(session, window, cancellationToken);
        activity?.SetTag("mlops.rows", stored.RowCount);
        var judged = WindowDrift.Measure(version, stored).Select(m => policy.Judge(m.SubjectKind, m.Subject, m.Measurement)).ToList();

        var labelled = await log.LabelledAsync(session, model.FullName, window.Version, window.Window, policy.DecisionThreshold, cancellationToken);
        var performance = ModelPerformance.Compare(labelled, version.BaselineMetrics);
        judged.Add(policy.Judge(SubjectKinds.Model, SubjectKinds.ModelSubject, performance.Accuracy));
        judged.Add(policy.Judge(SubjectKinds.Model, SubjectKinds.ModelSubject, performance.Auc));
        judged.Add(policy.Judge(SubjectKinds.Model, SubjectKinds.ModelSubject,
            await log.LatencyP99Async(session, model.FullName, window.Version, window.Window, cancellationToken)));

        await results.SaveAsync(session, window, judged, cancellationToken);
        session.AfterCommit(() => metrics.Record(window, judged));
        await windows.MarkEvaluatedAsync(session, window, cancellationToken);

        var breaches = judged.Where(r => r.Breached).ToList();
        activity?.SetTag("mlops.breaches", breaches.Count);
        if (breaches.Count > 0)
            logger.LogInformation("Window {WindowStart:O} of {ModelName} v{Version} ({Rows} rows) breaches {Breaches}",
                window.Window.Start, model.FullName, window.Version, stored.RowCount,
                string.Join(", ", breaches.Select(b => $"{b.Subject} {b.Metric}")));

        return await alerts.UpdateAsync(session, publisher, model, window, judged, policy, cancellationToken);
    }
}
