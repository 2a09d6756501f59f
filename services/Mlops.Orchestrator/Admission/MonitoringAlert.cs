using MassTransit;

namespace Mlops.Orchestrator.Admission;

/// <summary>
/// What a monitoring alert (DriftDetected, ModelPerformanceDegraded) brings to admission beyond any trigger: the version
/// it was measured against, and its way back after a cooldown. Monitoring raises one alert per sustained breach and does
/// not repeat it, so an alert held back by the cooldown has to come back by itself, or its drift is never retrained for.
/// </summary>
public sealed record MonitoringAlert
{
    /// <summary>The model version whose reference the alert was measured against.</summary>
    public required int ModelVersion { get; init; }

    /// <summary>The scheduling token the message came back with when it is a re-check admission scheduled; none for the alert as monitoring raised it.</summary>
    public Guid? RecheckToken { get; init; }

    /// <summary>
    /// Brings the alert back to admission at a UTC instant of this process's clock (an outbox row due then, written in the
    /// consumer's transaction) and returns the scheduling token it will come back with.
    /// </summary>
    public required Func<DateTime, CancellationToken, Task<Guid>> ScheduleRecheck { get; init; }

    public bool IsRecheck => RecheckToken is not null;

    /// <summary>Why the alert no longer says anything about the model, or null while the version it was measured against is the champion.</summary>
    public string? StaleReason(string modelName, int? champion) =>
        champion == ModelVersion
            ? null
            : $"The alert is stale: it was measured against version {ModelVersion} of {modelName}, " +
              (champion is { } current ? $"but version {current} is the champion now." : "which has no champion now.");

    public static MonitoringAlert Of<TAlert>(ConsumeContext<TAlert> context, int modelVersion)
        where TAlert : class => new()
    {
        ModelVersion = modelVersion,
        RecheckToken = context.GetSchedulingTokenId(),
        // Sent back to admission's own queue rather than published: every other subscriber would take a second
        // DriftDetected for a second alert, and monitoring promises one per sustained breach.
        ScheduleRecheck = async (instant, cancellationToken) =>
            (await context.ScheduleSend(context.ReceiveContext.InputAddress, instant, context.Message, cancellationToken)).TokenId,
    };
}
