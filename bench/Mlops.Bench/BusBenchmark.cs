using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Bench.Messages;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Mlops.Bench;

/// <summary>
/// P1: persistent messages published and consumed through the project's host (<see cref="BenchBus"/>, outbox and inbox off)
/// against RabbitMQ.Client publishing with confirms to a durable queue and consuming with manual acks. Both use prefetch
/// <see cref="BenchBus.Prefetch"/> and keep up to <see cref="InFlight"/> publishes awaiting their confirm.
/// </summary>
public static class BusBenchmark
{
    public const int InFlight = 500;

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int count)
    {
        var raw = await RawAsync(infrastructure, count);
        var bare = await BareMassTransitAsync(infrastructure, count);
        await using var bus = await BenchBus.StartAsync(infrastructure);
        var rate = await bus.Expect(count).MeasureAsync((first, n) => ArrivalCounter.InFlightAsync(first, n, InFlight, i => bus.Bus.Publish(Ping(i))));
        var inboxRows = await bus.InboxRowsAsync();
        Console.WriteLine($"P1 bus, {count:N0} persistent messages: MassTransit {rate:N0} msg/s (inbox rows written: {inboxRows}), " +
            $"bare MassTransit bus {bare:N0} msg/s, raw RabbitMQ.Client {raw:N0} msg/s");
        return new BenchResult
        {
            Id = "P1",
            Measure = $"publish+consume, {count:N0} persistent messages: MassTransit host ÷ raw RabbitMQ.Client 7 with confirms",
            Unit = "msg/s",
            Ours = rate,
            Baseline = raw,
            Goal = 0.7,
            Details = new Dictionary<string, double> { ["in_flight_publishes"] = InFlight, ["prefetch"] = BenchBus.Prefetch, ["inbox_rows"] = inboxRows, ["bare_masstransit_msg_per_s"] = Math.Round(bare) },
            Note = "outbox and inbox off (handler on a connected endpoint; inbox_rows proves it); a bare MassTransit bus (no Mlops policies) "
                + "shows how much is MassTransit's own cost",
        };
    }

    public static BenchPing Ping(int sequence) => new() { Sequence = sequence, Payload = "model-a/v3 score 0.8125" };

    /// <summary>MassTransit alone: no Mlops host, filters or policies; its queue goes with it so later publishes do not feed it.</summary>
    private static async Task<double> BareMassTransitAsync(BenchInfrastructure infrastructure, int count)
    {
        var counter = new ArrivalCounter(count);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) =>
        {
            cfg.Host(BenchInfrastructure.RabbitHost, (ushort)BenchInfrastructure.RabbitPort, infrastructure.VirtualHost, host =>
            {
                host.Username("guest");
                host.Password("guest");
            });
            cfg.PrefetchCount = BenchBus.Prefetch;
            cfg.ReceiveEndpoint("bare-bench-ping", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Handler<BenchPing>(_ =>
                {
                    counter.Arrived();
                    return Task.CompletedTask;
                });
            });
        }));
        await using var provider = services.BuildServiceProvider();
        var control = provider.GetRequiredService<IBusControl>();
        await control.StartAsync();
        try
        {
            return await counter.MeasureAsync((first, n) => ArrivalCounter.InFlightAsync(first, n, InFlight, i => control.Publish(Ping(i))));
        }
        finally
        {
            await control.StopAsync();
        }
    }

    private static async Task<double> RawAsync(BenchInfrastructure infrastructure, int count)
    {
        var factory = new ConnectionFactory { HostName = BenchInfrastructure.RabbitHost, Port = BenchInfrastructure.RabbitPort, VirtualHost = infrastructure.VirtualHost };
        await using var connection = await factory.CreateConnectionAsync("mlops-bench-raw");
        await using var consuming = await connection.CreateChannelAsync();
        const string queue = "raw-bench-ping";
        await consuming.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await consuming.BasicQosAsync(0, BenchBus.Prefetch, false);

        var counter = new ArrivalCounter(count);
        var consumer = new AsyncEventingBasicConsumer(consuming);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            JsonSerializer.Deserialize<BenchPing>(delivery.Body.Span);
            await consuming.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            counter.Arrived();
        };
        await consuming.BasicConsumeAsync(queue, autoAck: false, consumer);

        await using var publishing = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        return await counter.MeasureAsync((first, n) => ArrivalCounter.InFlightAsync(first, n, InFlight,
            i => publishing.BasicPublishAsync("", queue, mandatory: false, properties, JsonSerializer.SerializeToUtf8Bytes(Ping(i))).AsTask()));
    }
}
