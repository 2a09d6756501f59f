namespace Mlops.Notifications.Events;

/// <summary>The event types subscriptions name; the same rows are in notifications.event_types, which the API validates against.</summary>
public static class WebhookEventTypes
{
    public const string ModelVersionCreated = "model_version.created";
    public const string AliasSet = "alias.set";
    public const string AliasDeleted = "alias.deleted";
    public const string RunFinished = "run.finished";
    public const string RollbackFailed = "rollback.failed";
    public const string ApprovalRequested = "approval.requested";
    public const string ApprovalReminder = "approval.reminder";
    public const string DriftDetected = "drift.detected";
    public const string PerformanceDegraded = "performance.degraded";
    public const string DataQualityViolated = "data_quality.violated";
    public const string LatencyBreached = "latency.breached";
    public const string SecurityAlert = "security.alert";

    public static IReadOnlyList<string> All =>
    [
        ModelVersionCreated, AliasSet, AliasDeleted, RunFinished, RollbackFailed, ApprovalRequested, ApprovalReminder, DriftDetected,
        PerformanceDegraded, DataQualityViolated, LatencyBreached, SecurityAlert,
    ];
}
