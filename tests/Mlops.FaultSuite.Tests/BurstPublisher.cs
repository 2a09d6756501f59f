using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Outbox;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// An upstream producer built from Mlops.Hosting like every service (outbox rows committed, then sent by its dispatcher),
/// hosted in the test process so the suite can write thousands of events at once and watch its outbox drain.
/// </summary>
public sealed class BurstPublisher : IAsyncDisposable
{
    public const string Producer = "fault-suite-burst";
    private readonly IHost _host;

    private BurstPublisher(IHost host) => _host = host;

    public static async Task<BurstPublisher> StartAsync(Platform platform, IDictionary<string, string> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = Producer, EnvironmentName = "Testing" });
        var values = platform.Environment.ToDictionary(e => e.Key.Replace("__", ":"), e => (string?)e.Value);
        foreach (var (key, value) in settings)
            values[key.Replace("__", ":")] = value;
        values["Messaging:ServiceName"] = Producer;
        values["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration.AddInMemoryCollection(values);
        builder.AddMlopsDefaults();
        builder.AddMlopsMessaging();
        // The dispatcher's warnings while the broker is down would drown the test output; the outbox table tells the story.
        builder.Logging.ClearProviders();

        // MassTransit keeps its log context in a static AsyncLocal; a bus of an earlier host must not lend it its logger.
        LogContext.Current = null!;
        var host = builder.Build();
        await host.StartAsync();
        return new BurstPublisher(host);
    }

    /// <summary>Commits <paramref name="messages"/> to the outbox, <paramref name="perTransaction"/> to a transaction.</summary>
    public async Task PublishAsync<T>(IReadOnlyList<T> messages, int perTransaction = 250)
        where T : class
    {
        foreach (var chunk in messages.Chunk(perTransaction))
        {
            await using var scope = _host.Services.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync(CancellationToken.None);
            var endpoint = scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session);
            foreach (var message in chunk)
                await endpoint.Publish(message);
            await session.CommitAsync(CancellationToken.None);
        }
        _host.Services.GetRequiredService<OutboxDispatcherSignal>().Notify();
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
