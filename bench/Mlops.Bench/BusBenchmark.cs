using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Bench.Messages;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Mlops.Bench;

/// <summary>
/// P1: persistent messages published and consumed through the project's host (AddMlopsMessaging over RabbitMQ, prefetch 100;
/// the consumer is a handler on an endpoint connected after start, which the transactional outbox/inbox does not wrap) against RabbitMQ.Client
/// publishing with confirms to a durable queue and consuming with manual acks, prefetch 100. Both keep up to
/// <see cref="InFlight"/> publishes awaiting their confirm, and the clock runs from the first publish to the last consume.
/// </summary>
public static class BusBenchmark
{
    private const int InFlight = 500;
    private const ushort Prefetch = 100;
    private const int WarmUp = 1_000;

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int count)
    {
        var raw = await RawAsync(infrastructure, count);
        var (bus, inboxRows) = await MassTransitAsync(infrastructure, count);
        Console.WriteLine($"P1 bus, {count:N0} persistent messages: MassTransit {bus:N0} msg/s (inbox rows written: {inboxRows}), raw RabbitMQ.Client {raw:N0} msg/s");
        return new BenchResult
        {
            Id = "P1",
            Measure = $"publish+consume, {count:N0} persistent messages: MassTransit host ÷ raw RabbitMQ.Client 7 with confirms",
            Unit = "msg/s",
            Ours = bus,
            Baseline = raw,
            Goal = 0.7,
            Details = new Dictionary<string, double> { ["in_flight_publishes"] = InFlight, ["prefetch"] = Prefetch, ["inbox_rows"] = inboxRows },
            Note = "outbox and inbox off (handler on a connected endpoint; inbox_rows proves it)",
        };
    }

    private static async Task<double> RawAsync(BenchInfrastructure infrastructure, int count)
    {
        var factory = new ConnectionFactory { HostName = BenchInfrastructure.RabbitHost, Port = BenchInfrastructure.RabbitPort, VirtualHost = infrastructure.VirtualHost };
        await using var connection = await factory.CreateConnectionAsync("mlops-bench-raw");
        await using var consuming = await connection.CreateChannelAsync();
        const string queue = "raw-bench-ping";
        await consuming.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await consuming.BasicQosAsync(0, Prefetch, false);

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
        return await counter.MeasureAsync(i => publishing.BasicPublishAsync("", queue, mandatory: false, properties, JsonSerializer.SerializeToUtf8Bytes(Ping(i))).AsTask());
    }

    private static async Task<(double Rate, long InboxRows)> MassTransitAsync(BenchInfrastructure infrastructure, int count)
    {
        var counter = new ArrivalCounter(count);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "mlops-bench", EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = infrastructure.ConnectionString,
            ["Messaging:RabbitMq:Host"] = BenchInfrastructure.RabbitHost,
            ["Messaging:RabbitMq:Port"] = BenchInfrastructure.RabbitPort.ToString(),
            ["Messaging:RabbitMq:VirtualHost"] = infrastructure.VirtualHost,
            ["Messaging:PrefetchCount"] = Prefetch.ToString(),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMlopsPostgres();
        builder.AddMlopsMessaging();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            // Connected after start, not registered: registered consumers (AddHandler's too) get the transactional outbox and inbox.
            var endpoint = host.Services.GetRequiredService<IReceiveEndpointConnector>().ConnectReceiveEndpoint("bench-ping", (_, cfg) =>
                cfg.Handler<BenchPing>(_ =>
                {
                    counter.Arrived();
                    return Task.CompletedTask;
                }));
            await endpoint.Ready;
            var bus = host.Services.GetRequiredService<IBus>();
            var rate = await counter.MeasureAsync(i => bus.Publish(Ping(i)));

            await using var connection = new NpgsqlConnection(infrastructure.ConnectionString);
            await connection.OpenAsync();
            await using var inbox = new NpgsqlCommand("SELECT count(*) FROM messaging.inbox", connection);
            return (rate, (long)(await inbox.ExecuteScalarAsync())!);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static BenchPing Ping(int sequence) => new() { Sequence = sequence, Payload = "model-a/v3 score 0.8125" };

    /// <summary>Counts consumed messages: first <see cref="WarmUp"/> untimed ones, then the timed run from first publish to last consume.</summary>
    private sealed class ArrivalCounter(int count)
    {
        private readonly TaskCompletionSource warmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int received;

        public void Arrived()
        {
            var now = Interlocked.Increment(ref received);
            if (now == WarmUp)
                warmed.TrySetResult();
            else if (now == WarmUp + count)
                done.TrySetResult();
        }

        public async Task<double> MeasureAsync(Func<int, Task> publish)
        {
            await InBatchesAsync(0, WarmUp, publish);
            await warmed.Task.WaitAsync(TimeSpan.FromMinutes(2));
            var watch = Stopwatch.StartNew();
            await InBatchesAsync(WarmUp, count, publish);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            return count / watch.Elapsed.TotalSeconds;
        }
    }

    private static async Task InBatchesAsync(int first, int count, Func<int, Task> publish)
    {
        var pending = new List<Task>(InFlight);
        for (var i = first; i < first + count; i++)
        {
            pending.Add(publish(i));
            if (pending.Count == InFlight)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
    }
}
