using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mlops.Hosting.Data;

/// <summary>
/// Applies every registered migration once. Several services may start at the same moment against one database:
/// a session-level advisory lock lets one of them migrate while the others wait, then find nothing left to do.
/// Each migration runs in its own transaction together with its history row, so a failed file leaves no trace.
/// Then, under the same lock, the database rights of <see cref="DatabaseAccessPolicy"/> are applied.
/// </summary>
public sealed class Migrator(MigrationDataSource dataSource, IEnumerable<MigrationSource> sources, DatabaseAccess access, ILogger<Migrator> logger)
{
    // An arbitrary constant that names "Mlops schema migrations" among advisory locks.
    private const long LockKey = 0x4D4C4F5053_01;

    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var migrations = Registered();

        await using var connection = await dataSource.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(EnsureHistorySql, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<(string Module, int Version, string Checksum)>(
                    new CommandDefinition("SELECT module, version, checksum FROM migrations.history", cancellationToken: cancellationToken)))
                .ToDictionary(r => (r.Module, r.Version), r => r.Checksum);

            var count = 0;
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue((migration.Module, migration.Version), out var checksum))
                {
                    if (checksum != migration.Checksum)
                        throw new InvalidOperationException(
                            $"Migration {migration.Module}/{migration.Version:D4}_{migration.Name} was changed after it was applied. " +
                            "Add a new numbered migration instead of editing an applied one.");
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(InsertHistorySql,
                    new { migration.Module, migration.Version, migration.Name, migration.Checksum }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);

                logger.LogInformation("Applied migration {Module}/{Version}_{MigrationName}", migration.Module, migration.Version, migration.Name);
                count++;
            }

            await access.ApplyAsync(connection, count > 0, cancellationToken);
            return count;
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    /// <summary>The registered migrations the database has not applied yet (all of them while it has no history at all).</summary>
    public async Task<IReadOnlyList<Migration>> PendingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.DataSource.OpenConnectionAsync(cancellationToken);
        var applied = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('migrations.history') IS NOT NULL", cancellationToken: cancellationToken))
            ? (await connection.QueryAsync<(string Module, int Version)>(new CommandDefinition(
                "SELECT module, version FROM migrations.history", cancellationToken: cancellationToken))).ToHashSet()
            : [];
        return [.. Registered().Where(m => !applied.Contains((m.Module, m.Version)))];
    }

    private List<Migration> Registered() => sources
        .DistinctBy(s => s.Assembly)
        .SelectMany(s => s.Load())
        .OrderBy(m => m.Module, StringComparer.Ordinal)
        .ThenBy(m => m.Version)
        .ToList();

    private const string EnsureHistorySql = """
        CREATE SCHEMA IF NOT EXISTS migrations;
        CREATE TABLE IF NOT EXISTS migrations.history (
            module      text        NOT NULL,
            version     integer     NOT NULL,
            name        text        NOT NULL,
            checksum    text        NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            applied_by  text        NOT NULL DEFAULT current_user || '@' || coalesce(current_setting('application_name', true), ''),
            PRIMARY KEY (module, version)
        );
        """;

    private const string InsertHistorySql = """
        INSERT INTO migrations.history (module, version, name, checksum) VALUES (@Module, @Version, @Name, @Checksum)
        """;
}
