using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Bench.Messages;
using Npgsql;

namespace Mlops.Bench;

/// <summary>
/// P2: a consumer that writes one row and publishes one event, end to end (commands sent to its queue until every event is
/// consumed), durable — registered, so inbox + write + outbox in one transaction, the event sent by the outbox dispatcher
/// (<see cref="RecordOrderConsumer"/>) — against the same work on an endpoint the outbox and inbox leave alone: the row
/// written on its own connection, the event published directly. Same host, same prefetch, same in-flight sends.
/// </summary>
public static class DurableConsumerBenchmark
{
    private const string DurableQueue = "record-order";
    private const string PlainQueue = "record-order-plain";

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int count)
    {
        await using (var connection = new NpgsqlConnection(infrastructure.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE bench_orders (sequence integer NOT NULL, variant text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())", connection);
            await create.ExecuteNonQueryAsync();
        }

        ArrivalCounter? counter = null;
        await using var bus = await BenchBus.StartAsync(infrastructure, consumers: registration =>
            registration.AddConsumer<RecordOrderConsumer>().Endpoint(endpoint => endpoint.Name = DurableQueue));
        var connector = bus.Services.GetRequiredService<IReceiveEndpointConnector>();
        var dataSource = bus.Services.GetRequiredService<NpgsqlDataSource>();
        var recorded = connector.ConnectReceiveEndpoint("bench-order-recorded", (_, cfg) => cfg.Handler<BenchOrderRecorded>(_ =>
        {
            counter?.Arrived();
            return Task.CompletedTask;
        }));
        var plain = connector.ConnectReceiveEndpoint(PlainQueue, (_, cfg) => cfg.Handler<BenchOrder>(async context =>
        {
            await using var command = dataSource.CreateCommand(RecordOrderConsumer.InsertSql);
            command.Parameters.AddWithValue("sequence", context.Message.Sequence);
            command.Parameters.AddWithValue("variant", "plain");
            await command.ExecuteNonQueryAsync(context.CancellationToken);
            await context.Publish(new BenchOrderRecorded { Sequence = context.Message.Sequence });
        }));
        await Task.WhenAll(recorded.Ready, plain.Ready);

        var withoutOutbox = await MeasureAsync(bus, PlainQueue, count, c => counter = c);
        var durable = await MeasureAsync(bus, DurableQueue, count, c => counter = c);
        var inboxRows = await bus.InboxRowsAsync();
        Console.WriteLine($"P2 durable consumer, {count:N0} messages end to end: inbox+write+outbox {durable:N0} msg/s (inbox rows {inboxRows}), write+direct publish {withoutOutbox:N0} msg/s");
        return new BenchResult
        {
            Id = "P2",
            Measure = $"consumer writing one row and publishing one event, {count:N0} messages end to end: inbox + outbox ÷ neither",
            Unit = "msg/s",
            Ours = durable,
            Baseline = withoutOutbox,
            Goal = 0.6,
            Details = new Dictionary<string, double> { ["inbox_rows"] = inboxRows, ["prefetch"] = BenchBus.Prefetch },
            Note = "the durable side's events go through the outbox dispatcher (see P2b)",
        };
    }

    private static async Task<double> MeasureAsync(BenchBus bus, string queue, int count, Action<ArrivalCounter> expect)
    {
        var counter = new ArrivalCounter(count);
        expect(counter);
        var endpoint = await bus.Bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        return await counter.MeasureAsync((first, n) =>
            ArrivalCounter.InFlightAsync(first, n, BusBenchmark.InFlight, i => endpoint.Send(new BenchOrder { Sequence = i })));
    }
}
