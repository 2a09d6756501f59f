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

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int count, int rounds)
    {
        await using var bus = await BenchBus.StartAsync(infrastructure);
        var direct = new List<(double Rate, double CpuUs)>();
        var outbox = new List<(double Rate, double CpuUs, double Written, double Backlog, double Drain)>();
        // Untimed pairs first (the JIT tiers up both paths), then direct and outbox in turn, so the machine's load falls on both alike.
        for (var round = -BusBenchmark.WarmUpRounds; round < rounds; round++)
        {
            var d = await DirectAsync(bus, count);
            var o = await OutboxAsync(bus, count);
            if (round < 0)
                continue;
            direct.Add(d);
            outbox.Add(o);
            Console.WriteLine($"P2b round {round + 1}: IBus.Publish {d.Rate:N0} msg/s {d.CpuUs:N1} µs/msg, OutboxPublisher {o.Rate:N0} msg/s {o.CpuUs:N1} µs/msg "
                + $"(rows written at {o.Written:N0}/s, the last {o.Backlog:N0} unsent rows drained at {o.Drain:N0}/s)");
        }

        var ratios = direct.Select((d, i) => outbox[i].Rate / d.Rate).ToList();
        var median = BusBenchmark.MedianIndex(ratios);
        var written = BusBenchmark.Median(outbox.Select(o => o.Written));
        var drain = BusBenchmark.Median(outbox.Select(o => o.Drain));
        Console.WriteLine($"P2b outbox, {count:N0} messages x {rounds} rounds (medians): OutboxPublisher ÷ IBus.Publish {ratios[median]:N2}, OutboxPublisher {BusBenchmark.Median(outbox.Select(o => o.Rate)):N0} msg/s, "
            + $"IBus.Publish {BusBenchmark.Median(direct.Select(d => d.Rate)):N0} msg/s");
        return new BenchResult
        {
            Id = "P2b",
            Measure = $"{count:N0} messages, the median of {rounds} interleaved rounds, first publish to last consume: OutboxPublisher + dispatcher ÷ IBus.Publish with confirms",
            Unit = "msg/s",
            Ours = outbox[median].Rate,
            Baseline = direct[median].Rate,
            Goal = 0.5,
            Details = new Dictionary<string, double>
            {
                ["outbox_cpu_us_per_msg"] = Math.Round(BusBenchmark.Median(outbox.Select(o => o.CpuUs)), 1),
                ["direct_cpu_us_per_msg"] = Math.Round(BusBenchmark.Median(direct.Select(d => d.CpuUs)), 1),
                ["outbox_rows_written_per_s"] = Math.Round(written), ["rows_per_transaction"] = RowsPerTransaction,
                ["backlog_at_last_commit"] = BusBenchmark.Median(outbox.Select(o => o.Backlog)), ["dispatcher_drain_msg_per_s"] = Math.Round(drain),
            },
            Note = (drain < written
                ? "the dispatcher drains slower than rows are written: sending limits"
                : "the dispatcher drains faster than rows are written: writing the rows (MassTransit's serialisation per publish, one INSERT per transaction) limits")
                + "; CPU per message is the bench process's (writing the rows, dispatching, consuming; PostgreSQL's and the broker's are not in it)",
        };
    }

    private static async Task<(double Rate, double CpuUs)> DirectAsync(BenchBus bus, int count)
    {
        var counter = bus.Expect(count);
        var rate = await counter.MeasureAsync((first, n) =>
            ArrivalCounter.InFlightAsync(first, n, BusBenchmark.InFlight, i => bus.Bus.Publish(BusBenchmark.Ping(i))));
        return (rate, counter.ProcessorTime.TotalMicroseconds / count);
    }

    private static async Task<(double Rate, double CpuUs, double Written, double Backlog, double Drain)> OutboxAsync(BenchBus bus, int count)
    {
        var writing = TimeSpan.Zero;
        long backlog = 0, writtenAt = 0;
        var counter = bus.Expect(count);
        var rate = await counter.MeasureAsync(async (first, n) =>
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
        // The dispatcher on its own: the rows still unsent when the last transaction committed, over the time they took to arrive.
        var drain = backlog / Stopwatch.GetElapsedTime(writtenAt, counter.DoneAt).TotalSeconds;
        return (rate, counter.ProcessorTime.TotalMicroseconds / count, count / writing.TotalSeconds, backlog, drain);
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
