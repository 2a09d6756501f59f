using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Outbox;
using Mlops.Simulator;
using Npgsql;

namespace Mlops.Cli;

/// <summary>
/// The command line's own small host: configuration (appsettings.json next to the binary, then MLOPS_/standard environment
/// variables), PostgreSQL, and the bus with the outbox, so that what the CLI publishes is as durable as what services publish.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CliHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<CliHost> StartAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "mlops-cli",
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        builder.AddMlopsDefaults();
        builder.Services.AddMlopsCatalog();
        builder.Services.AddMlopsSimulator();
        builder.AddMlopsMessaging();

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new CliHost(host);
    }

    /// <summary>Publishes through the outbox and returns once the broker has the message (or throws).</summary>
    public async Task PublishAsync<T>(T message, CancellationToken cancellationToken, Guid? messageId = null)
        where T : class
    {
        await using (var scope = Services.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync(cancellationToken);
            await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session)
                .Publish(message, context => { if (messageId is { } id) context.MessageId = id; }, cancellationToken);
            await session.CommitAsync(cancellationToken);
        }
        await WaitForOutboxAsync(cancellationToken);
    }

    /// <summary>Waits until everything this CLI committed to the outbox has been sent.</summary>
    public async Task WaitForOutboxAsync(CancellationToken cancellationToken)
    {
        var producer = Services.GetRequiredService<ProducerName>().Value;
        var dataSource = Services.GetRequiredService<NpgsqlDataSource>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            var pending = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM messaging.outbox WHERE producer = @producer AND delivered_at IS NULL", new { producer }, cancellationToken: timeout.Token));
            if (pending == 0)
                return;
            await Task.Delay(50, timeout.Token);
        }
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
