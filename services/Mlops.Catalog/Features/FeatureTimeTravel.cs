using Dapper;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Features;

/// <summary>
/// Time travel over feature tables, the Delta way: a version is read as of its number or as of a timestamp (the newest
/// version of the table in that environment created at or before it), and a restore writes a NEW version whose rows are a
/// copy of an earlier one's, made in SQL (INSERT ... SELECT) and recorded with <c>restored_from</c> and the reason. History
/// stays append-only: nothing is deleted or rewritten, so every version a model was trained on can still be read.
/// A restored version is the environment's current one until a batch lands there after it (<see cref="CurrentRestoreAsync"/>).
/// </summary>
public sealed class FeatureTimeTravel(NpgsqlDataSource dataSource)
{
    /// <summary>The versions of a table in one environment, newest first.</summary>
    public async Task<IReadOnlyList<FeatureVersionEntry>> HistoryAsync(string table, string environment, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"{SelectSql} WHERE table_name = @table AND environment = @environment ORDER BY version DESC LIMIT @limit",
            new { table, environment, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToEntry()).ToList();
    }

    public async Task<FeatureVersionEntry?> FindAsync(string table, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            $"{SelectSql} WHERE table_name = @table AND version = @version", new { table, version }, cancellationToken: cancellationToken)))?.ToEntry();
    }

    /// <summary>TIMESTAMP AS OF: the newest version of the table in the environment created at or before <paramref name="at"/>; null when none was.</summary>
    public async Task<FeatureVersionEntry?> AsOfAsync(string table, string environment, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition($"""
            {SelectSql} WHERE table_name = @table AND environment = @environment AND created_at <= @at
            ORDER BY created_at DESC, version DESC LIMIT 1
            """, new { table, environment, at = at.UtcDateTime }, cancellationToken: cancellationToken)))?.ToEntry();
    }

    /// <summary>
    /// A page of one version's rows, every column but the version key, ordered by the entity id and starting after
    /// <paramref name="after"/> (keyset paging: a page costs the same however deep it is).
    /// </summary>
    public async Task<FeatureRowsPage> ReadRowsAsync(string table, int version, long? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var entity = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT entity_column FROM features.tables WHERE name = @table", new { table }, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"There is no feature table {table}.");
        var columns = await RowColumnsAsync(connection, null, table, cancellationToken);

        await using var command = new NpgsqlCommand($"""
            SELECT {string.Join(", ", columns.Select(c => SqlIdentifier.Quote(c, "feature column name")))}
            FROM {QuotedTable(table)}
            WHERE version = @version AND (@after::bigint IS NULL OR {SqlIdentifier.Quote(entity)} > @after::bigint)
            ORDER BY {SqlIdentifier.Quote(entity)} LIMIT @take
            """, connection);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = after is { } a ? a : DBNull.Value });
        command.Parameters.AddWithValue("take", limit + 1);

        var rows = new List<IReadOnlyDictionary<string, object?>>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new Dictionary<string, object?>(columns.Count);
                for (var i = 0; i < columns.Count; i++)
                    row[columns[i]] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
        }

        var more = rows.Count > limit;
        if (more)
            rows.RemoveAt(rows.Count - 1);
        return new FeatureRowsPage(columns, rows, more ? Convert.ToInt64(rows[^1][entity], System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    /// <summary>
    /// RESTORE TABLE ... VERSION AS OF <paramref name="fromVersion"/>, in the session's transaction: the table's next version,
    /// in <paramref name="environment"/>, holding a copy of that version's rows, its raw batches and statistics.
    /// Throws <see cref="KeyNotFoundException"/> for an unknown table or version, <see cref="InvalidOperationException"/> for
    /// a version of another environment or one that already is the environment's latest.
    /// </summary>
    public async Task<FeatureVersionEntry> RestoreAsync(DbSession session, string table, string environment, int fromVersion, string principal, string reason,
        CancellationToken cancellationToken = default)
    {
        // The catalogue row's lock is the one FeatureStore takes to number a refresh's version: a restore and a refresh never
        // pick the same number.
        _ = await session.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT name FROM features.tables WHERE name = @table FOR UPDATE", new { table }, session.Transaction, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"There is no feature table {table}.");
        var source = (await session.Connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            $"{SelectSql} WHERE table_name = @table AND version = @fromVersion", new { table, fromVersion }, session.Transaction,
            cancellationToken: cancellationToken)))?.ToEntry()
            ?? throw new KeyNotFoundException($"Feature table {table} has no version {fromVersion}.");
        if (source.Version.Environment != environment)
            throw new InvalidOperationException(
                $"Version {fromVersion} of {table} belongs to {source.Version.Environment ?? "no environment"}, not to {environment}: " +
                "a restore copies a version of the same environment, as a run reads only its own environment's data.");
        var latest = await session.Connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT max(version) FROM features.table_versions WHERE table_name = @table AND environment = @environment",
            new { table, environment }, session.Transaction, cancellationToken: cancellationToken));
        if (latest == fromVersion)
            throw new InvalidOperationException($"Version {fromVersion} already is the latest version of {table} in {environment}: there is nothing to restore.");

        var version = await session.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) + 1 FROM features.table_versions WHERE table_name = @table",
            new { table }, session.Transaction, cancellationToken: cancellationToken));
        var columns = string.Join(", ", (await RowColumnsAsync(session.Connection, session.Transaction, table, cancellationToken))
            .Select(c => SqlIdentifier.Quote(c, "feature column name")));
        var copied = await session.Connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {QuotedTable(table)} (version, {columns})
            SELECT @version, {columns} FROM {QuotedTable(table)} WHERE version = @fromVersion
            """, new { version, fromVersion }, session.Transaction, cancellationToken: cancellationToken));
        if (copied != source.Version.RowCount)
            throw new InvalidOperationException($"Version {fromVersion} of {table} holds {copied} rows, not the {source.Version.RowCount} recorded; nothing was restored.");

        // Every column the version row has is copied (row count, raw batches, statistics, environment, and whatever later
        // migrations add to describe a version), but what makes this version a restore of that one.
        var copiedColumns = string.Join(", ", (await session.Connection.QueryAsync<string>(new CommandDefinition("""
            SELECT attname FROM pg_attribute
            WHERE attrelid = 'features.table_versions'::regclass AND attnum > 0 AND NOT attisdropped
              AND attname <> ALL (ARRAY['version', 'pipeline_run_id', 'created_by', 'created_at', 'restored_from', 'restore_reason'])
            ORDER BY attnum
            """, transaction: session.Transaction, cancellationToken: cancellationToken))).Select(c => SqlIdentifier.Quote(c, "column name")));
        await session.Connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO features.table_versions ({copiedColumns}, version, pipeline_run_id, created_by, restored_from, restore_reason)
            SELECT {copiedColumns}, @version, NULL, @principal, version, @reason
            FROM features.table_versions WHERE table_name = @table AND version = @fromVersion
            """, new { table, version, fromVersion, principal, reason }, session.Transaction, cancellationToken: cancellationToken));
        await CopyVersionRowsAsync(session, table, fromVersion, version, cancellationToken);
        return (await session.Connection.QuerySingleAsync<VersionRow>(new CommandDefinition(
            $"{SelectSql} WHERE table_name = @table AND version = @version", new { table, version }, session.Transaction,
            cancellationToken: cancellationToken))).ToEntry();
    }

    /// <summary>
    /// What else belongs to a version (rows of any table whose foreign key names a version, such as labels kept apart from
    /// the feature rows) is copied to the restored version too, so it trains exactly as the version it copies.
    /// </summary>
    private static async Task CopyVersionRowsAsync(DbSession session, string table, int fromVersion, int version, CancellationToken cancellationToken)
    {
        var children = await session.Connection.QueryAsync<(string Schema, string Name, string TableColumn, string VersionColumn, string[] Columns)>(
            new CommandDefinition("""
                SELECT n.nspname, r.relname,
                       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[array_position(c.confkey, pt.attnum)]),
                       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[array_position(c.confkey, pv.attnum)]),
                       ARRAY(SELECT a.attname FROM pg_attribute a
                             WHERE a.attrelid = c.conrelid AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '' AND a.attgenerated = ''
                             ORDER BY a.attnum)
                FROM pg_constraint c
                JOIN pg_class r ON r.oid = c.conrelid
                JOIN pg_namespace n ON n.oid = r.relnamespace
                JOIN pg_attribute pt ON pt.attrelid = c.confrelid AND pt.attname = 'table_name'
                JOIN pg_attribute pv ON pv.attrelid = c.confrelid AND pv.attname = 'version'
                WHERE c.contype = 'f' AND c.confrelid = 'features.table_versions'::regclass AND c.conrelid <> c.confrelid
                  AND cardinality(c.confkey) = 2 AND c.confkey @> ARRAY[pt.attnum, pv.attnum]
                ORDER BY n.nspname, r.relname
                """, transaction: session.Transaction, cancellationToken: cancellationToken));
        foreach (var child in children)
        {
            var target = SqlIdentifier.Quote(child.Schema, "schema name") + "." + SqlIdentifier.Quote(child.Name, "table name");
            var columns = child.Columns.Select(c => SqlIdentifier.Quote(c, "column name")).ToList();
            var selected = child.Columns.Select(c => c == child.VersionColumn ? "@version" : SqlIdentifier.Quote(c, "column name"));
            await session.Connection.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO {target} ({string.Join(", ", columns)})
                SELECT {string.Join(", ", selected)} FROM {target}
                WHERE {SqlIdentifier.Quote(child.TableColumn, "column name")} = @table AND {SqlIdentifier.Quote(child.VersionColumn, "column name")} = @fromVersion
                """, new { table, fromVersion, version }, session.Transaction, cancellationToken: cancellationToken));
        }
    }

    /// <summary>
    /// The version a refresh of <paramref name="table"/> in <paramref name="environment"/> should answer with instead of
    /// computing, when there is one: the environment's latest version if it is a restore and no batch of
    /// <paramref name="sourceTable"/> landed in the environment after it. Recomputing from the batch the restore turned away
    /// from would undo it; a batch landed since is new data and is computed as usual.
    /// </summary>
    public async Task<FeatureTableVersion?> CurrentRestoreAsync(DbSession session, string table, string sourceTable, string environment,
        CancellationToken cancellationToken = default)
    {
        var row = await session.Connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition($"""
            {SelectSql} v
            WHERE v.table_name = @table AND v.environment = @environment AND v.restored_from IS NOT NULL
              AND v.version = (SELECT max(version) FROM features.table_versions WHERE table_name = @table AND environment = @environment)
              AND NOT EXISTS (SELECT 1 FROM raw.batches b
                              WHERE b.source_table = @sourceTable AND b.environment = @environment AND b.landed_at > v.created_at)
            """, new { table, sourceTable, environment }, session.Transaction, cancellationToken: cancellationToken));
        return row?.ToEntry().Version;
    }

    /// <summary>The columns of a table's rows in storage order, every one but the version key.</summary>
    private static async Task<List<string>> RowColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string table,
        CancellationToken cancellationToken) =>
        (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT attname FROM pg_attribute
            WHERE attrelid = to_regclass('features.' || quote_ident(@table)) AND attnum > 0 AND NOT attisdropped AND attname <> 'version'
            ORDER BY attnum
            """, new { table }, transaction, cancellationToken: cancellationToken))).ToList();

    private static string QuotedTable(string name) => "features." + SqlIdentifier.Quote(name, "feature table name");

    private const string SelectSql = """
        SELECT table_name AS TableName, version AS Version, row_count AS RowCount, raw_batch_ids AS RawBatchIds, pipeline_run_id AS PipelineRunId,
               statistics::text AS Statistics, created_by AS CreatedBy, created_at AS CreatedAt, environment AS Environment,
               restored_from AS RestoredFrom, restore_reason AS RestoreReason
        FROM features.table_versions
        """;

    private sealed class VersionRow
    {
        public string TableName { get; init; } = "";
        public int Version { get; init; }
        public long RowCount { get; init; }
        public Guid[] RawBatchIds { get; init; } = [];
        public Guid? PipelineRunId { get; init; }
        public string Statistics { get; init; } = "[]";
        public string CreatedBy { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public string? Environment { get; init; }
        public int? RestoredFrom { get; init; }
        public string? RestoreReason { get; init; }

        public FeatureVersionEntry ToEntry() => new(
            new FeatureTableVersion(TableName, Version, RowCount, RawBatchIds, PipelineRunId, CatalogJson.Deserialize<List<FeatureStatistics>>(Statistics),
                CreatedBy, CreatedAt, Environment),
            RestoredFrom, RestoreReason);
    }
}
