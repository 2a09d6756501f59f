using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Bench.Messages;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Telemetry;
using Npgsql;

namespace Mlops.Bench;

/// <summary>
/// The project's host (AddMlopsPostgres + AddMlopsMessaging over RabbitMQ, its outbox dispatcher running) on the bench's database
/// and virtual host, with one handler of <see cref="BenchPing"/> that counts into the current <see cref="ArrivalCounter"/>.
/// The handler's endpoint is connected after start, not registered: registered consumers (AddHandler's too) get the
/// transactional outbox and inbox, which P1 and P2b's baseline leave out; <see cref="InboxRowsAsync"/> shows they did.
/// </summary>
public sealed class BenchBus : IAsyncDisposable
{
    public const ushort Prefetch = 100;

    /// <summary>Set to 1, the host also gets AddMlopsLogging and AddMlopsTelemetry, as a service's AddMlopsDefaults gives it.</summary>
    public const string TelemetryVariable = "MLOPS_BENCH_TELEMETRY";

    private readonly IHost host;
    private readonly string connectionString;
    private ArrivalCounter? counter;

    private BenchBus(IHost host, string connectionString)
    {
        this.host = host;
        this.connectionString = connectionString;
    }

    public IServiceProvider Services => host.Services;
    public IBus Bus => host.Services.GetRequiredService<IBus>();

    /// <param name="configure">Adds what a benchmark runs in the host, after messaging (hosted services stop in reverse order).</param>
    /// <param name="consumers">Registers consumers: these do get the transactional outbox and inbox.</param>
    /// <param name="service">A service's own wiring, which brings its messaging: called instead of AddMlopsMessaging.</param>
    /// <param name="name">The outbox producer name: two hosts on one database each send their own rows.</param>
    public static async Task<BenchBus> StartAsync(BenchInfrastructure infrastructure, Action<HostApplicationBuilder>? configure = null,
        Action<IBusRegistrationConfigurator>? consumers = null, Action<HostApplicationBuilder>? service = null, string name = "mlops-bench")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "mlops-bench", EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = infrastructure.ConnectionString,
            ["Messaging:RabbitMq:Host"] = BenchInfrastructure.RabbitHost,
            ["Messaging:RabbitMq:Port"] = BenchInfrastructure.RabbitPort.ToString(),
            ["Messaging:RabbitMq:VirtualHost"] = infrastructure.VirtualHost,
            ["Messaging:PrefetchCount"] = Prefetch.ToString(),
            ["Messaging:ServiceName"] = name,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMlopsPostgres();
        // A service's host also has AddMlopsDefaults' logging and OpenTelemetry (MassTransit's spans and meters listened to,
        // nothing exported): off by default, so the figures stay comparable with earlier runs; set to 1 to time it.
        if (Environment.GetEnvironmentVariable(TelemetryVariable) == "1")
        {
            builder.AddMlopsLogging();
            builder.AddMlopsTelemetry();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        if (service is null)
            builder.AddMlopsMessaging(consumers);
        else
            service(builder);
        configure?.Invoke(builder);
        var host = builder.Build();
        await host.StartAsync();

        var bus = new BenchBus(host, infrastructure.ConnectionString);
        var endpoint = host.Services.GetRequiredService<IReceiveEndpointConnector>().ConnectReceiveEndpoint("bench-ping", (_, cfg) =>
            cfg.Handler<BenchPing>(_ =>
            {
                bus.counter?.Arrived();
                return Task.CompletedTask;
            }));
        await endpoint.Ready;
        return bus;
    }

    public ArrivalCounter Expect(int count) => counter = new ArrivalCounter(count);

    public Task<long> InboxRowsAsync() => CountAsync("SELECT count(*) FROM messaging.inbox");

    /// <summary>A single bigint a query returns, e.g. a count.</summary>
    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async ValueTask DisposeAsync()
    {
        // Stopping while the dispatcher still stamps sent rows cancels the stamp (and logs a fault): let it finish first.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && await CountAsync("SELECT count(*) FROM messaging.outbox WHERE delivered_at IS NULL AND parked_at IS NULL") > 0)
            await Task.Delay(50);
        await host.StopAsync();
        host.Dispose();
    }
}
