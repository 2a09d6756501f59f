using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Bench;

/// <summary>
/// P2b: messages published through <see cref="OutboxPublisher"/> (outbox rows committed <see cref="RowsPerTransaction"/> to a
/// transaction, sent by the host's OutboxDispatcher) against IBus.Publish with confirms, both to the same consumer on the
/// same host, from the first publish to the last consume.
/// </summary>
public static class OutboxBenchmark
{
    private const int RowsPerTransaction = 500;

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int count)
    {
        await using var bus = await BenchBus.StartAsync(infrastructure);
        var direct = await bus.Expect(count).MeasureAsync((first, n) =>
            ArrivalCounter.InFlightAsync(first, n, BusBenchmark.InFlight, i => bus.Bus.Publish(BusBenchmark.Ping(i))));

        var writing = TimeSpan.Zero;
        long backlog = 0, writtenAt = 0;
        var counter = bus.Expect(count);
        var outbox = await counter.MeasureAsync(async (first, n) =>
        {
            var watch = Stopwatch.StartNew();
            await WriteAsync(bus.Services, first, n);
            if (first > 0)
            {
                writing = watch.Elapsed;
                writtenAt = Stopwatch.GetTimestamp();
                backlog = await bus.CountAsync("SELECT count(*) FROM messaging.outbox WHERE delivered_at IS NULL");
            }
        });
        var written = count / writing.TotalSeconds;
        // The dispatcher on its own: the rows still unsent when the last transaction committed, over the time they took to arrive.
        var drain = backlog / Stopwatch.GetElapsedTime(writtenAt, counter.DoneAt).TotalSeconds;
        Console.WriteLine($"P2b outbox, {count:N0} messages: OutboxPublisher {outbox:N0} msg/s published to consumed (rows written at {written:N0}/s, the last {backlog:N0} unsent rows drained at {drain:N0}/s), IBus.Publish {direct:N0} msg/s");
        return new BenchResult
        {
            Id = "P2b",
            Measure = $"{count:N0} messages, first publish to last consume: OutboxPublisher + dispatcher ÷ IBus.Publish with confirms",
            Unit = "msg/s",
            Ours = outbox,
            Baseline = direct,
            Goal = 0.5,
            Details = new Dictionary<string, double>
            {
                ["outbox_rows_written_per_s"] = Math.Round(written), ["rows_per_transaction"] = RowsPerTransaction,
                ["backlog_at_last_commit"] = backlog, ["dispatcher_drain_msg_per_s"] = Math.Round(drain),
            },
            Note = drain < written
                ? "the dispatcher drains slower than rows are written: sending limits"
                : "the dispatcher drains faster than rows are written: writing the rows (MassTransit's serialisation per publish, one INSERT per transaction) limits",
        };
    }

    private static async Task WriteAsync(IServiceProvider services, int first, int count)
    {
        var publisher = services.GetRequiredService<OutboxPublisher>();
        for (var start = first; start < first + count; start += RowsPerTransaction)
        {
            await using var scope = services.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync();
            var endpoint = publisher.For(session);
            for (var i = start; i < Math.Min(start + RowsPerTransaction, first + count); i++)
                await endpoint.Publish(BusBenchmark.Ping(i));
            await session.CommitAsync();
        }
    }
}
