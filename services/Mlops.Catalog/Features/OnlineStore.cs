using Dapper;
using Mlops.Hosting.Data;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Catalog.Features;

/// <summary>
/// The online store: each entity's latest published features, per environment, for lookup by key at serving time. Publishing
/// a feature table version upserts its rows into features_online."&lt;table&gt;" in one INSERT ... SELECT from the offline
/// version. A version replaces only the entities it holds (the others keep what an earlier version gave them), and only where
/// the stored row comes from an older version: a repeated or late publication never overwrites anything newer.
/// </summary>
public sealed class OnlineStore(NpgsqlDataSource dataSource, FeatureStore features)
{
    /// <summary>Columns every online table has besides the entity key and the features.</summary>
    public static readonly IReadOnlyList<string> ReservedColumns = ["environment", "version", "published_at"];

    /// <summary>
    /// Publishes <paramref name="version"/> of <paramref name="table"/> into the environment it was computed in, in the session's
    /// transaction. Throws <see cref="KeyNotFoundException"/> for a table or version that does not exist and
    /// <see cref="InvalidOperationException"/> for one that cannot be published (no environment, reserved or changed columns).
    /// </summary>
    public async Task<OnlinePublication> PublishAsync(DbSession session, string table, int version, CancellationToken cancellationToken = default)
    {
        var definition = await features.FindTableAsync(table, cancellationToken)
            ?? throw new KeyNotFoundException($"Feature table '{table}' is not registered.");
        var found = await features.FindVersionAsync(table, version, cancellationToken)
            ?? throw new KeyNotFoundException($"Feature table {table} has no version {version}.");
        if (found.Environment is not { } environment)
            throw new InvalidOperationException($"Feature table {table} version {version} belongs to no environment: no model could be served its features.");
        var online = new OnlineFeatureTable(definition.Name, definition.EntityColumn, definition.Columns);

        // Orders publications of one table: its first one creates the table, and two versions upserting the same entities in
        // opposite orders would otherwise deadlock.
        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('features_online/' || @table))",
            new { table }, session.Transaction, cancellationToken: cancellationToken));
        var published = await session.Connection.QuerySingleOrDefaultAsync<(long RowCount, long RowsWritten)?>(new CommandDefinition("""
            SELECT row_count, rows_written FROM features_online.publications WHERE table_name = @table AND environment = @environment AND version = @version
            """, new { table, environment, version }, session.Transaction, cancellationToken: cancellationToken));
        if (published is { } before)
            return new OnlinePublication(table, environment, version, before.RowCount, before.RowsWritten, AlreadyPublished: true);

        await EnsureTableAsync(session, online, cancellationToken);
        var written = await session.Connection.ExecuteAsync(new CommandDefinition(UpsertSql(online),
            new { environment, version }, session.Transaction, cancellationToken: cancellationToken));
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO features_online.publications (table_name, environment, version, row_count, rows_written)
            VALUES (@table, @environment, @version, @RowCount, @written)
            """, new { table, environment, version, found.RowCount, written = (long)written }, session.Transaction, cancellationToken: cancellationToken));
        return new OnlinePublication(table, environment, version, found.RowCount, written, AlreadyPublished: false);
    }

    /// <summary>The online shape of a feature table, or null when no version of it was ever published.</summary>
    public async Task<OnlineFeatureTable?> FindTableAsync(string table, CancellationToken cancellationToken = default)
    {
        if (!SqlIdentifier.IsValid(table))
            return null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string EntityColumn, string Columns)?>(new CommandDefinition(
            "SELECT entity_column, columns::text FROM features_online.tables WHERE table_name = @table", new { table }, cancellationToken: cancellationToken));
        return row is { } r ? new OnlineFeatureTable(table, r.EntityColumn, CatalogJson.Deserialize<List<FeatureColumn>>(r.Columns)) : null;
    }

    /// <summary>
    /// The stored values of <paramref name="columns"/> for each of <paramref name="keys"/> found in <paramref name="environment"/>,
    /// in one round trip: a double (NaN for null) per numeric column, a string (or null) per categorical one. Keys not found are
    /// absent from the answer.
    /// </summary>
    public async Task<Dictionary<long, object?[]>> LookupAsync(OnlineFeatureTable table, string environment, IReadOnlyList<FeatureColumn> columns,
        long[] keys, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<long, object?[]>(keys.Length);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(LookupSql(table, columns), connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = environment, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        // Prepared once per pooled connection and kept there (a repeat costs no round trip): no parse and plan per request.
        await command.PrepareAsync(cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new object?[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                var ordinal = c + 1;
                values[c] = columns[c].Type == FeatureType.Numeric
                    ? reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal)
                    : reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
            }
            found[reader.GetInt64(0)] = values;
        }
        return found;
    }

    private static async Task EnsureTableAsync(DbSession session, OnlineFeatureTable table, CancellationToken cancellationToken)
    {
        var reserved = table.Columns.Select(c => c.Name).Append(table.EntityColumn).FirstOrDefault(ReservedColumns.Contains);
        if (reserved is not null)
            throw new InvalidOperationException(
                $"Feature table {table.Name} names a column '{reserved}', which its online table reserves ({string.Join(", ", ReservedColumns)}): it cannot be published.");

        var existing = await session.Connection.QuerySingleOrDefaultAsync<(string EntityColumn, string Columns)?>(new CommandDefinition(
            "SELECT entity_column, columns::text FROM features_online.tables WHERE table_name = @Name", new { table.Name }, session.Transaction,
            cancellationToken: cancellationToken));
        if (existing is { } e)
        {
            if (e.EntityColumn != table.EntityColumn || !CatalogJson.Deserialize<List<FeatureColumn>>(e.Columns).SequenceEqual(table.Columns))
                throw new InvalidOperationException($"The online table of {table.Name} was created with other columns; a schema change needs a new feature table.");
            return;
        }

        var columnSql = string.Join(", ", table.Columns.Select(c =>
            $"{SqlIdentifier.Quote(c.Name)} {(c.Type == FeatureType.Numeric ? "double precision" : "text")}"));
        var entity = SqlIdentifier.Quote(table.EntityColumn);
        await session.Connection.ExecuteAsync(new CommandDefinition($"""
            CREATE TABLE {OnlineTable(table.Name)} (
                environment  text        NOT NULL CHECK (environment IN ('dev', 'staging', 'prod')),
                {entity}     bigint      NOT NULL,
                version      integer     NOT NULL,
                published_at timestamptz NOT NULL,
                {columnSql},
                PRIMARY KEY (environment, {entity})
            );
            INSERT INTO features_online.tables (table_name, entity_column, columns) VALUES (@Name, @EntityColumn, @Columns::jsonb);
            """, new { table.Name, table.EntityColumn, Columns = CatalogJson.Serialize(table.Columns) }, session.Transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>One statement, the whole version at once; the WHERE of DO UPDATE keeps a row that a newer version wrote.</summary>
    private static string UpsertSql(OnlineFeatureTable table)
    {
        var entity = SqlIdentifier.Quote(table.EntityColumn);
        var columns = table.Columns.Select(c => SqlIdentifier.Quote(c.Name)).ToList();
        return $"""
            INSERT INTO {OnlineTable(table.Name)} AS online (environment, {entity}, version, published_at, {string.Join(", ", columns)})
            SELECT @environment, {entity}, version, now(), {string.Join(", ", columns)}
            FROM features.{SqlIdentifier.Quote(table.Name)} WHERE version = @version
            ON CONFLICT (environment, {entity}) DO UPDATE
            SET version = excluded.version, published_at = excluded.published_at, {string.Join(", ", columns.Select(c => $"{c} = excluded.{c}"))}
            WHERE online.version < excluded.version
            """;
    }

    private static string LookupSql(OnlineFeatureTable table, IReadOnlyList<FeatureColumn> columns)
    {
        var entity = SqlIdentifier.Quote(table.EntityColumn);
        var selected = columns.Count == 0 ? "" : ", " + string.Join(", ", columns.Select(c => SqlIdentifier.Quote(c.Name)));
        return $"SELECT {entity}{selected} FROM {OnlineTable(table.Name)} WHERE environment = $1 AND {entity} = ANY($2)";
    }

    private static string OnlineTable(string name) => "features_online." + SqlIdentifier.Quote(name, "feature table name");
}
