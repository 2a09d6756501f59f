using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Hosting.DeadLetters;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Outbox;
using Mlops.Simulator;
using Npgsql;

namespace Mlops.Cli;

/// <summary>
/// The command line's own small host: configuration (appsettings.json next to the binary, then MLOPS_/standard environment
/// variables) and PostgreSQL; the bus and an outbox dispatcher only for commands that publish. It never migrates
/// (<c>mlops migrate</c> does that on purpose).
/// A publishing command writes its messages as outbox rows of a producer of its own (<c>mlops-cli-&lt;id&gt;</c>), sends them
/// with its own dispatcher and waits for the broker's confirmation. When that does not come in time the rows are withdrawn,
/// so nothing this command asked for is sent later by another process: it fails, says so, and can simply be run again.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CliHost(IHost host, bool publishing)
    {
        _host = host;
        Publishing = publishing;
    }

    public IServiceProvider Services => _host.Services;

    public bool Publishing { get; }

    private TimeSpan PublishTimeout => Services.GetRequiredService<IConfiguration>().GetValue("Cli:PublishTimeout", TimeSpan.FromSeconds(30));

    public static async Task<CliHost> StartAsync(bool publishing, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "mlops-cli",
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        var overrides = new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false", ["Retention:Enabled"] = "false" };
        if (publishing)
            overrides["Messaging:ServiceName"] = $"mlops-cli-{Guid.NewGuid():N}";
        builder.Configuration.AddInMemoryCollection(overrides);

        builder.AddMlopsDefaults();
        builder.Services.AddMlopsCatalog();
        builder.Services.AddSingleton<DeadLetterStore>();
        // The services' own migrations, embedded into this assembly too (see Mlops.Cli.csproj), for 'mlops migrate'.
        builder.Services.AddMlopsMigrations(typeof(CliHost).Assembly);
        if (publishing)
        {
            builder.Services.AddMlopsSimulator();
            builder.AddMlopsMessaging();
            var timeout = builder.Configuration.GetValue("Cli:PublishTimeout", TimeSpan.FromSeconds(30));
            builder.Services.Configure<MassTransitHostOptions>(options => options.StartTimeout = timeout);
        }

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception exception) when (publishing && !cancellationToken.IsCancellationRequested && exception is not NpgsqlException)
        {
            host.Dispose();
            throw new InvalidOperationException($"RabbitMQ does not answer ({exception.Message}); nothing was published.", exception);
        }
        return new CliHost(host, publishing);
    }

    /// <summary>Publishes through this process's outbox and returns once the broker confirmed it (or throws, leaving nothing to send later).</summary>
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

    /// <summary>
    /// Lands a batch (rows and its RawDataLanded in one transaction) and waits for the broker's confirmation. When it does not
    /// come, the announcement is withdrawn and the batch removed again, so that running the command again lands it exactly once.
    /// </summary>
    public async Task<Guid> LandAsync(IReadOnlyList<ChurnCustomer> customers, string environment, string principal, string description,
        CancellationToken cancellationToken)
    {
        var batchId = await Get<RawDataLander>().LandAsync(customers, environment, principal, description, cancellationToken);
        try
        {
            await WaitForOutboxAsync(cancellationToken);
            return batchId;
        }
        catch (TimeoutException exception)
        {
            await using var connection = await Get<NpgsqlDataSource>().OpenConnectionAsync(CancellationToken.None);
            await connection.ExecuteAsync(RemoveBatchSql, new { batchId });
            throw new TimeoutException($"{exception.Message} Batch {batchId} was removed again: nothing landed. Run the command again once RabbitMQ answers.",
                exception);
        }
    }

    /// <summary>
    /// Waits until everything this process committed to its outbox was confirmed by the broker. After the publish timeout the
    /// rows still unsent are deleted (a row being sent right then is locked, so the delete waits for its outcome) and this throws.
    /// </summary>
    public async Task WaitForOutboxAsync(CancellationToken cancellationToken)
    {
        if (!Publishing)
            throw new InvalidOperationException("This command runs without a bus: it cannot publish.");

        var producer = Services.GetRequiredService<ProducerName>().Value;
        var dataSource = Services.GetRequiredService<NpgsqlDataSource>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            while (true)
            {
                await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
                var (pending, parked) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(PendingSql, new { producer },
                    cancellationToken: timeout.Token));
                if (pending == 0)
                    return;
                // A parked row will never be sent: no point waiting for the timeout.
                if (parked > 0)
                    break;
                await Task.Delay(50, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        await using (var connection = await dataSource.OpenConnectionAsync(CancellationToken.None))
        {
            var withdrawn = await connection.QueryAsync<string?>(WithdrawSql, new { producer });
            var errors = withdrawn.ToList();
            if (errors.Count == 0)
                return;
            throw new TimeoutException(
                $"RabbitMQ did not confirm within {PublishTimeout.TotalSeconds:0} s (Cli:PublishTimeout){(errors.FirstOrDefault(x => x is not null) is { } error ? ": " + error : "")}. " +
                $"{errors.Count} message(s) were withdrawn: nothing will be sent later.");
        }
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    private const string PendingSql = """
        SELECT count(*), count(parked_at) FROM messaging.outbox WHERE producer = @producer AND delivered_at IS NULL
        """;

    private const string WithdrawSql = "DELETE FROM messaging.outbox WHERE producer = @producer AND delivered_at IS NULL RETURNING last_error";

    private const string RemoveBatchSql = """
        DELETE FROM raw.churn_customers WHERE batch_id = @batchId;
        DELETE FROM raw.batches WHERE batch_id = @batchId;
        """;
}
