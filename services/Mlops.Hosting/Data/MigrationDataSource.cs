using Npgsql;

namespace Mlops.Hosting.Data;

/// <summary>
/// The connections migrations run on: the owner's (<c>Database:MigrationsUsername</c>) when one is configured, else the
/// service's own. Kept apart from the service's <see cref="NpgsqlDataSource"/> so nothing but the migrator holds the owner's rights.
/// </summary>
public sealed class MigrationDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
