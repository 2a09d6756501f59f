namespace Mlops.Hosting.Tests.Messages;

public record PlaceOrder
{
    public Guid OrderId { get; init; }
    public int Quantity { get; init; }
}

public record OrderPlaced
{
    public Guid OrderId { get; init; }
    public int Quantity { get; init; }
}

public record Ping
{
    public Guid PingId { get; init; }
}

public record Pong
{
    public Guid PingId { get; init; }
}

public record PairStarted
{
    public Guid CorrelationId { get; init; }
}

public record LeftArrived
{
    public Guid CorrelationId { get; init; }
}

public record RightArrived
{
    public Guid CorrelationId { get; init; }
}

public record ReminderRequested
{
    public Guid CorrelationId { get; init; }
    public double DelaySeconds { get; init; }
}

public record ReminderAcknowledged
{
    public Guid CorrelationId { get; init; }
}

public record ReminderExpired
{
    public Guid CorrelationId { get; init; }
}

public record Flaky
{
    public Guid FlakyId { get; init; }
    public int FailTimes { get; init; }
    public bool Transient { get; init; }
}

public record Measured
{
    public Guid MeasuredId { get; init; }
    public int FailTimes { get; init; }
}
