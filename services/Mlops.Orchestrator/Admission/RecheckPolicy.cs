namespace Mlops.Orchestrator.Admission;

/// <summary>When a monitoring alert held back by the cooldown comes back: once the cooldown ends, one re-check pending per lane.</summary>
public static class RecheckPolicy
{
    /// <summary>
    /// How long after the cooldown ends a re-check is due. The outbox makes it due at the database's now() plus a delay
    /// computed a moment after the lane was read; without a margin it would come back just before the cooldown ends.
    /// </summary>
    public static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    /// <summary>When an alert held back until <paramref name="cooldownEndsAt"/> is due back, or null when the lane's pending re-check covers it.</summary>
    public static DateTime? DueAt(LaneSnapshot lane, DateTime cooldownEndsAt, TimeSpan gracePeriod) =>
        IsPending(lane, gracePeriod) ? null : cooldownEndsAt + Margin;

    /// <summary>
    /// A re-check is pending until it is overdue by the grace period. After that it is taken as lost (its message
    /// dead-lettered, say), so the next alert the cooldown holds back schedules another instead of counting on it.
    /// </summary>
    public static bool IsPending(LaneSnapshot lane, TimeSpan gracePeriod) => lane.RecheckAt is { } due && lane.Now - due < gracePeriod;
}
