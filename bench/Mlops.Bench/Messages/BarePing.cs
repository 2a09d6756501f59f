namespace Mlops.Bench.Messages;

/// <summary>
/// <see cref="BenchPing"/>'s twin for P1's bare MassTransit buses: <typeparamref name="TBus"/> gives each bare bus a message type
/// (so an exchange) of its own, so the buses and the project's host stay up side by side on one virtual host without any
/// one's publishes reaching another's queue.
/// </summary>
public sealed record BarePing<TBus>
{
    public required int Sequence { get; init; }
    public required string Payload { get; init; }
}
