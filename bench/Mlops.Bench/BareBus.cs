using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Bench.Messages;
using Mlops.Hosting.Messaging;

namespace Mlops.Bench;

/// <summary>
/// A bare MassTransit bus for P1: no Mlops host, filters or policies, unless <see cref="Policies"/> adds one of the host's
/// (one at a time, to measure what each costs). Its handler counts <see cref="BarePing{TBus}"/> on an auto-delete queue.
/// </summary>
public sealed class BareBus : IAsyncDisposable
{
    private IHost? host;
    private ServiceProvider? provider;
    private IBusControl control = null!;
    private ArrivalCounter? counter;
    private Func<int, Task> publish = null!;

    /// <summary>What of the Mlops host a bare bus takes on.</summary>
    [Flags]
    public enum Policies
    {
        None = 0,

        /// <summary>The generic host (Host.CreateApplicationBuilder: its logging providers, hosted bus) instead of a bare service provider.</summary>
        GenericHost = 1,

        /// <summary>The host's immediate retries (UseMessageRetry, Incremental 3).</summary>
        Retry = 2,

        /// <summary>The host's RedeliveryFilter on every message type.</summary>
        Redelivery = 4,

        /// <summary>MassTransit's raw JSON serializer instead of its envelope (a wire format the host does not use).</summary>
        RawJson = 8,
    }

    public string Name { get; private init; } = "";

    /// <param name="name">Names the queue and the figures.</param>
    public static async Task<BareBus> StartAsync<TBus>(BenchInfrastructure infrastructure, string name, Policies policies = Policies.None)
    {
        var bare = new BareBus { Name = name };
        void Configure(IBusRegistrationConfigurator bus) => bus.UsingRabbitMq((registration, cfg) =>
        {
            cfg.Host(BenchInfrastructure.RabbitHost, (ushort)BenchInfrastructure.RabbitPort, infrastructure.VirtualHost, rabbit =>
            {
                rabbit.Username("guest");
                rabbit.Password("guest");
            });
            cfg.PrefetchCount = BenchBus.Prefetch;
            if (policies.HasFlag(Policies.Redelivery))
                // Only the success path is timed: the scheduler a failure would need is never called.
                _ = new RedeliveryConfigurationObserver(cfg, null!, [TimeSpan.FromSeconds(5)], NullLogger.Instance);
            if (policies.HasFlag(Policies.Retry))
                cfg.UseMessageRetry(retry =>
                {
                    retry.Incremental(3, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));
                    retry.Ignore<UnrecoverableMessageException>();
                });
            if (policies.HasFlag(Policies.RawJson))
            {
                cfg.UseRawJsonSerializer(isDefault: true);
                cfg.UseRawJsonDeserializer(isDefault: true);
            }
            cfg.ReceiveEndpoint($"bare-bench-ping-{name}", endpoint =>
            {
                endpoint.AutoDelete = true;
                endpoint.Handler<BarePing<TBus>>(_ =>
                {
                    bare.counter?.Arrived();
                    return Task.CompletedTask;
                });
            });
        });

        if (policies.HasFlag(Policies.GenericHost))
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "mlops-bench", EnvironmentName = "Production" });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddMassTransit(Configure);
            bare.host = builder.Build();
            await bare.host.StartAsync();
            bare.control = bare.host.Services.GetRequiredService<IBusControl>();
        }
        else
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddMassTransit(Configure);
            bare.provider = services.BuildServiceProvider();
            bare.control = bare.provider.GetRequiredService<IBusControl>();
            await bare.control.StartAsync();
        }
        bare.publish = i => bare.control.Publish(new BarePing<TBus> { Sequence = i, Payload = BusBenchmark.Ping(i).Payload });
        return bare;
    }

    public ArrivalCounter Expect(int count) => counter = new ArrivalCounter(count);

    public Task Publish(int sequence) => publish(sequence);

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync();
            host.Dispose();
        }
        if (provider is not null)
        {
            await control.StopAsync();
            await provider.DisposeAsync();
        }
    }
}
