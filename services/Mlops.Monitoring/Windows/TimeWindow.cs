namespace Mlops.Monitoring.Windows;

/// <summary>
/// A fixed time window [Start, End), aligned on the Unix epoch so that every instance of the service, and every batch,
/// puts a prediction in the same window. Times are UTC.
/// </summary>
public readonly record struct TimeWindow(DateTime Start, DateTime End)
{
    public static TimeWindow Containing(DateTime instant, TimeSpan size)
    {
        if (size <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(size), size, "A window has a positive length.");

        var utc = ToUtc(instant);
        var offset = (utc.Ticks - DateTime.UnixEpoch.Ticks) % size.Ticks;
        if (offset < 0)
            offset += size.Ticks;
        var start = new DateTime(utc.Ticks - offset, DateTimeKind.Utc);
        return new TimeWindow(start, start + size);
    }

    public bool Contains(DateTime instant) => ToUtc(instant) >= Start && ToUtc(instant) < End;

    private static DateTime ToUtc(DateTime instant) => instant.Kind switch
    {
        DateTimeKind.Utc => instant,
        DateTimeKind.Local => instant.ToUniversalTime(),
        _ => DateTime.SpecifyKind(instant, DateTimeKind.Utc),
    };
}
