using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mlops.Hosting.Data;

/// <summary>
/// Migrates before any other hosted service starts (the bus among them), so no consumer ever meets a missing table.
/// Switched by <c>Database:MigrateOnStartup</c>; production deployments can turn it off and run <c>mlops migrate</c>.
/// </summary>
public sealed class MigrationHostedService(Migrator migrator, IOptions<DatabaseOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) =>
        options.Value.MigrateOnStartup ? migrator.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
