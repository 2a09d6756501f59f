using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Messaging;

namespace Mlops.Hosting.Data;

/// <summary>
/// Migrates before any other hosted service starts (the bus among them), so no consumer ever meets a missing table.
/// Switched by <c>Database:MigrateOnStartup</c>; production deployments can turn it off and run <c>mlops migrate</c>,
/// and with <c>Database:WaitForMigrations</c> the service then holds its start until that job has applied what it needs.
/// </summary>
public sealed partial class MigrationHostedService(Migrator migrator, IOptions<DatabaseOptions> options, ILogger<MigrationHostedService> logger)
    : IHostedLifecycleService
{
    // How often the wait says what it waits for, so a stuck rollout explains itself in the pod's log.
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(30);

    public Task StartingAsync(CancellationToken cancellationToken) =>
        options.Value.MigrateOnStartup ? migrator.MigrateAsync(cancellationToken)
        : options.Value.WaitForMigrations ? WaitForMigrationsAsync(cancellationToken)
        : Task.CompletedTask;

    private async Task WaitForMigrationsAsync(CancellationToken cancellationToken)
    {
        var lastReport = DateTime.MinValue;
        while (true)
        {
            string waitingFor;
            try
            {
                var pending = await migrator.PendingAsync(cancellationToken);
                if (pending.Count == 0)
                    return;
                waitingFor = $"{pending.Count} migration(s), the first {pending[0].Module}/{pending[0].Version:D4}_{pending[0].Name}";
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                // The database may come up after the service (a fresh cluster): it is waited for like the migrations.
                waitingFor = $"the database ({exception.Message})";
            }

            if (DateTime.UtcNow - lastReport >= ReportInterval)
            {
                LogWaiting(waitingFor);
                lastReport = DateTime.UtcNow;
            }
            await Task.Delay(options.Value.MigrationPollInterval, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not starting yet: Database:MigrateOnStartup is off and mlops migrate has not applied {WaitingFor}")]
    private partial void LogWaiting(string waitingFor);
}
