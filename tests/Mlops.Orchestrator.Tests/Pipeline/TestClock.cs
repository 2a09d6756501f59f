namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// A clock that stands still until the test moves it, so a schedule comes due when the test says. Timers still run in
/// real time: the scheduler's pauses between looks stay short.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _utcTicks, now.UtcTicks);
}
