using Dapper;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Catalog.Features;

/// <summary>
/// Versioned feature tables. A refresh writes a complete new version by binary COPY; reading a version returns exactly
/// the rows written then, however many versions came after (time travel for reproducible training).
/// Table and column names come from validated definitions and are always quoted.
/// </summary>
public sealed class FeatureStore(NpgsqlDataSource dataSource)
{
    /// <summary>Registers a feature table and creates its storage; registering the same definition again changes nothing.</summary>
    public async Task EnsureTableAsync(DbSession session, FeatureTableDefinition definition, CancellationToken cancellationToken = default)
    {
        definition.Validate();
        // Two first refreshes of one table (two environments, two instances) would both find no row to lock and race to
        // CREATE TABLE, one failing on the catalogue's unique type name: the name's lock makes the second wait and then find it.
        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('features.tables/' || @Name))",
            new { definition.Name }, session.Transaction, cancellationToken: cancellationToken));
        var existing = await session.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT columns::text FROM features.tables WHERE name = @Name FOR UPDATE", new { definition.Name }, session.Transaction,
            cancellationToken: cancellationToken));
        if (existing is not null)
        {
            if (!CatalogJson.Deserialize<List<FeatureColumn>>(existing).SequenceEqual(definition.Columns))
                throw new InvalidOperationException(
                    $"Feature table {definition.Name} already exists with other columns; a schema change needs a new feature table.");
        }
        else
        {
            await InsertCatalogueRowAsync(session, definition, cancellationToken);
        }

        // A YAML definition registers the catalogue row first; its storage is made by the first refresh, here.
        var storage = await session.Connection.QuerySingleAsync<(bool Exists, bool HasEventTime)>(new CommandDefinition("""
            SELECT to_regclass(@table) IS NOT NULL,
                   EXISTS (SELECT FROM information_schema.columns WHERE table_schema = 'features' AND table_name = @Name AND column_name = 'event_time')
            """, new { table = QuotedTable(definition.Name), definition.Name }, session.Transaction, cancellationToken: cancellationToken));
        var table = QuotedTable(definition.Name);
        if (storage.Exists)
        {
            // Tables from before event times: their rows' time is unknown (null), and no training set joins them by time.
            if (!storage.HasEventTime)
                await session.Connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE {table} ADD COLUMN event_time timestamptz",
                    transaction: session.Transaction, cancellationToken: cancellationToken));
            return;
        }

        var columnSql = string.Join(", ", definition.Columns.Select(c =>
            $"{SqlIdentifier.Quote(c.Name)} {(c.Type == FeatureType.Numeric ? "double precision" : "text")}"));
        var labelSql = definition.LabelColumn is null ? "" : $", {SqlIdentifier.Quote(definition.LabelColumn)} double precision";
        var entity = SqlIdentifier.Quote(definition.EntityColumn);
        await session.Connection.ExecuteAsync(new CommandDefinition($"""
            CREATE TABLE {table} (
                {entity} bigint NOT NULL,
                version integer NOT NULL,
                event_time timestamptz,
                {columnSql}{labelSql},
                PRIMARY KEY (version, {entity})
            );
            CREATE INDEX ON {table} ({entity}, event_time);
            """, transaction: session.Transaction, cancellationToken: cancellationToken));
    }

    /// <summary>The catalogue's row of a new table (its storage is made by <see cref="EnsureTableAsync"/>).</summary>
    internal static Task InsertCatalogueRowAsync(DbSession session, FeatureTableDefinition definition, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO features.tables (name, entity_column, columns, label_column, source_table, description)
            VALUES (@Name, @EntityColumn, @Columns::jsonb, @LabelColumn, @SourceTable, @Description)
            """, new
            {
                definition.Name, definition.EntityColumn, Columns = CatalogJson.Serialize(definition.Columns), definition.LabelColumn, definition.SourceTable,
                definition.Description,
            }, session.Transaction, cancellationToken: cancellationToken));

    /// <summary>The number the table's next version takes; the catalogue row's lock orders concurrent refreshes of one table.</summary>
    public async Task<int> NextVersionAsync(DbSession session, string name, CancellationToken cancellationToken = default)
    {
        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM features.tables WHERE name = @name FOR UPDATE",
            new { name }, session.Transaction, cancellationToken: cancellationToken));
        return await session.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) + 1 FROM features.table_versions WHERE table_name = @name",
            new { name }, session.Transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Records a version whose rows are already in its table (computed in PostgreSQL), with the definition version that computed it.</summary>
    public Task RecordVersionAsync(DbSession session, string name, int version, long rowCount, IReadOnlyList<Guid> rawBatchIds, Guid? pipelineRunId,
        IReadOnlyList<FeatureStatistics> statistics, string principal, string? environment, int? definitionVersion, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO features.table_versions (table_name, version, row_count, raw_batch_ids, pipeline_run_id, statistics, created_by, environment, definition_version)
            VALUES (@name, @version, @rowCount, @RawBatchIds, @pipelineRunId, @Statistics::jsonb, @principal, @environment, @definitionVersion)
            """, new
            {
                name, version, rowCount, RawBatchIds = rawBatchIds.ToArray(), pipelineRunId, Statistics = CatalogJson.Serialize(statistics), principal,
                environment, definitionVersion,
            }, session.Transaction, cancellationToken: cancellationToken));

    public async Task<FeatureTableDefinition?> FindTableAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!SqlIdentifier.IsValid(name))
            return null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Name, string EntityColumn, string Columns, string? LabelColumn, string SourceTable, string? Description)?>(
            new CommandDefinition("""
                SELECT name, entity_column, columns::text, label_column, source_table, description FROM features.tables WHERE name = @name
                """, new { name }, cancellationToken: cancellationToken));
        return row is not { } r
            ? null
            : new FeatureTableDefinition
            {
                Name = r.Name, EntityColumn = r.EntityColumn, Columns = CatalogJson.Deserialize<List<FeatureColumn>>(r.Columns),
                LabelColumn = r.LabelColumn, SourceTable = r.SourceTable, Description = r.Description,
            };
    }

    /// <summary>Writes <paramref name="frame"/> as the table's next version, in the session's transaction.</summary>
    public async Task<int> WriteVersionAsync(DbSession session, FeatureTableDefinition definition, FeatureFrame frame, IReadOnlyList<Guid> rawBatchIds,
        Guid? pipelineRunId, IReadOnlyList<FeatureStatistics> statistics, string principal, string? environment = null,
        CancellationToken cancellationToken = default)
    {
        definition.Validate();
        var version = await NextVersionAsync(session, definition.Name, cancellationToken);

        var columnNames = new List<string> { definition.EntityColumn, "version" };
        columnNames.AddRange(definition.Columns.Select(c => c.Name));
        if (definition.LabelColumn is not null)
            columnNames.Add(definition.LabelColumn);

        await using (var writer = await session.Connection.BeginBinaryImportAsync(
            $"COPY {QuotedTable(definition.Name)} ({string.Join(", ", columnNames.Select(n => SqlIdentifier.Quote(n)))}) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            for (var row = 0; row < frame.RowCount; row++)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(frame.EntityIds[row], NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(version, NpgsqlDbType.Integer, cancellationToken);
                foreach (var column in definition.Columns)
                {
                    if (column.Type == FeatureType.Numeric)
                    {
                        var value = frame.Numeric[column.Name][row];
                        if (double.IsNaN(value)) await writer.WriteNullAsync(cancellationToken);
                        else await writer.WriteAsync(value, NpgsqlDbType.Double, cancellationToken);
                    }
                    else
                    {
                        var value = frame.Categorical[column.Name][row];
                        if (value is null) await writer.WriteNullAsync(cancellationToken);
                        else await writer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
                    }
                }
                if (definition.LabelColumn is not null)
                {
                    var label = frame.Labels?[row] ?? double.NaN;
                    if (double.IsNaN(label)) await writer.WriteNullAsync(cancellationToken);
                    else await writer.WriteAsync(label, NpgsqlDbType.Double, cancellationToken);
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }

        await RecordVersionAsync(session, definition.Name, version, frame.RowCount, rawBatchIds, pipelineRunId, statistics, principal, environment, null,
            cancellationToken);
        return version;
    }

    /// <summary>Records a refresh's data-quality verdict (kept for refreshes that failed, which have no version).</summary>
    public Task RecordQualityAsync(DbSession session, string table, int? version, Guid? pipelineRunId, IReadOnlyList<Guid> rawBatchIds, bool passed,
        IReadOnlyList<string> violations, IReadOnlyList<FeatureStatistics> statistics, string? environment = null, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO features.quality_results (table_name, version, pipeline_run_id, raw_batch_ids, passed, violations, statistics, environment)
            VALUES (@table, @version, @pipelineRunId, @RawBatchIds, @passed, @Violations::jsonb, @Statistics::jsonb, @environment)
            """, new
            {
                table, version, pipelineRunId, RawBatchIds = rawBatchIds.ToArray(), passed, environment,
                Violations = CatalogJson.Serialize(violations), Statistics = CatalogJson.Serialize(statistics),
            }, session.Transaction, cancellationToken: cancellationToken));

    /// <summary>The latest verdict recorded for a pipeline run's refresh of a table, so a repeated refresh command answers as the first did.</summary>
    public async Task<FeatureQualityResult?> FindQualityByRunAsync(DbSession session, string table, Guid pipelineRunId,
        CancellationToken cancellationToken = default)
    {
        var row = await session.Connection.QuerySingleOrDefaultAsync<(string TableName, int? Version, Guid? PipelineRunId, Guid[] RawBatchIds, bool Passed, string Violations, string Statistics, DateTime CheckedAt)?>(
            new CommandDefinition("""
                SELECT table_name, version, pipeline_run_id, raw_batch_ids, passed, violations::text, statistics::text, checked_at
                FROM features.quality_results WHERE table_name = @table AND pipeline_run_id = @pipelineRunId
                ORDER BY checked_at DESC, id DESC LIMIT 1
                """, new { table, pipelineRunId }, session.Transaction, cancellationToken: cancellationToken));
        return row is not { } r
            ? null
            : new FeatureQualityResult(r.TableName, r.Version, r.PipelineRunId, r.RawBatchIds, r.Passed, CatalogJson.Deserialize<List<string>>(r.Violations),
                CatalogJson.Deserialize<List<FeatureStatistics>>(r.Statistics), r.CheckedAt);
    }

    public async Task<FeatureTableVersion?> FindVersionAsync(string table, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindVersionAsync(connection, null, "WHERE table_name = @table AND version = @version", new { table, version }, cancellationToken);
    }

    /// <summary>The version a pipeline run already wrote, so a repeated refresh command changes nothing.</summary>
    public Task<FeatureTableVersion?> FindVersionByRunAsync(DbSession session, string table, Guid pipelineRunId, CancellationToken cancellationToken = default) =>
        FindVersionAsync(session.Connection, session.Transaction, "WHERE table_name = @table AND pipeline_run_id = @pipelineRunId",
            new { table, pipelineRunId }, cancellationToken);

    /// <summary>The latest version of the table in one environment.</summary>
    public async Task<FeatureTableVersion?> LatestVersionAsync(string table, string environment, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindVersionAsync(connection, null, "WHERE table_name = @table AND environment = @environment ORDER BY version DESC LIMIT 1",
            new { table, environment }, cancellationToken);
    }

    private static async Task<FeatureTableVersion?> FindVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object parameters,
        CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string TableName, int Version, long RowCount, Guid[] RawBatchIds, Guid? PipelineRunId, string Statistics, string CreatedBy, DateTime CreatedAt, string? Environment)?>(
            new CommandDefinition($"""
                SELECT table_name, version, row_count, raw_batch_ids, pipeline_run_id, statistics::text, created_by, created_at, environment
                FROM features.table_versions {where}
                """, parameters, transaction, cancellationToken: cancellationToken));
        return row is not { } r
            ? null
            : new FeatureTableVersion(r.TableName, r.Version, r.RowCount, r.RawBatchIds, r.PipelineRunId,
                CatalogJson.Deserialize<List<FeatureStatistics>>(r.Statistics), r.CreatedBy, r.CreatedAt, r.Environment);
    }

    /// <summary>Exactly the rows of one version, ordered by entity id.</summary>
    public async Task<FeatureFrame> ReadVersionAsync(FeatureTableDefinition definition, int version, CancellationToken cancellationToken = default)
    {
        definition.Validate();
        if (await FindVersionAsync(definition.Name, version, cancellationToken) is not { } found)
            throw new KeyNotFoundException($"Feature table {definition.Name} has no version {version}.");

        var selected = new List<string> { definition.EntityColumn };
        selected.AddRange(definition.Columns.Select(c => c.Name));
        if (definition.LabelColumn is not null)
            selected.Add(definition.LabelColumn);

        var rows = checked((int)found.RowCount);
        var entityIds = new long[rows];
        var numeric = definition.Columns.Where(c => c.Type == FeatureType.Numeric).ToDictionary(c => c.Name, _ => new double[rows]);
        var categorical = definition.Columns.Where(c => c.Type == FeatureType.Categorical).ToDictionary(c => c.Name, _ => new string?[rows]);
        var labels = definition.LabelColumn is null ? null : new double[rows];

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT {string.Join(", ", selected.Select(n => SqlIdentifier.Quote(n)))}
            FROM {QuotedTable(definition.Name)} WHERE version = @version ORDER BY {SqlIdentifier.Quote(definition.EntityColumn)}
            """, connection);
        command.Parameters.AddWithValue("version", version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        var row = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (row == rows)
                throw new InvalidOperationException($"Feature table {definition.Name} version {version} holds more rows than its {rows} recorded.");
            entityIds[row] = reader.GetInt64(0);
            for (var c = 0; c < definition.Columns.Count; c++)
            {
                var column = definition.Columns[c];
                var ordinal = c + 1;
                if (column.Type == FeatureType.Numeric)
                    numeric[column.Name][row] = reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);
                else
                    categorical[column.Name][row] = reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
            }
            if (labels is not null)
            {
                var ordinal = definition.Columns.Count + 1;
                labels[row] = reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);
            }
            row++;
        }

        if (row != rows)
            throw new InvalidOperationException($"Feature table {definition.Name} version {version} holds {row} rows, not the {rows} recorded.");

        return new FeatureFrame(definition.Columns, entityIds, numeric, categorical, labels);
    }

    /// <summary>
    /// The rows a model learns from, point in time: when the table's labels are stored apart (their own source or time),
    /// each label of the version is joined to the entity's latest feature row at or before the label's time, among the
    /// versions of the same environment up to this one; a label with no such row is left out. Otherwise each row's label was
    /// observed with its features, and the training set is the version's rows (<see cref="ReadVersionAsync"/>).
    /// </summary>
    public async Task<FeatureFrame> ReadTrainingSetAsync(FeatureTableDefinition definition, int version, CancellationToken cancellationToken = default)
    {
        definition.Validate();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var labelled = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT FROM features.labels WHERE table_name = @Name AND version = @version)", new { definition.Name, version },
            cancellationToken: cancellationToken));
        if (!labelled)
            return await ReadVersionAsync(definition, version, cancellationToken);

        var entity = SqlIdentifier.Quote(definition.EntityColumn);
        await using var command = new NpgsqlCommand($"""
            SELECT l.entity_id, {string.Join(", ", definition.Columns.Select(c => "f." + SqlIdentifier.Quote(c.Name)))}, l.label
            FROM features.labels l
            CROSS JOIN LATERAL (
                SELECT t.* FROM {QuotedTable(definition.Name)} t
                WHERE t.{entity} = l.entity_id AND t.event_time <= l.label_time AND t.version = ANY(
                    SELECT v.version FROM features.table_versions v JOIN features.table_versions this
                      ON this.table_name = v.table_name AND this.version = @version AND v.environment IS NOT DISTINCT FROM this.environment
                    WHERE v.table_name = @name AND v.version <= @version)
                ORDER BY t.event_time DESC, t.version DESC
                LIMIT 1) f
            WHERE l.table_name = @name AND l.version = @version
            ORDER BY l.entity_id, l.label_time
            """, connection);
        command.Parameters.AddWithValue("name", definition.Name);
        command.Parameters.AddWithValue("version", version);
        var entityIds = new List<long>();
        var numeric = definition.Columns.Where(c => c.Type == FeatureType.Numeric).ToDictionary(c => c.Name, _ => new List<double>());
        var categorical = definition.Columns.Where(c => c.Type == FeatureType.Categorical).ToDictionary(c => c.Name, _ => new List<string?>());
        var labels = new List<double>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entityIds.Add(reader.GetInt64(0));
            for (var c = 0; c < definition.Columns.Count; c++)
            {
                var column = definition.Columns[c];
                if (column.Type == FeatureType.Numeric)
                    numeric[column.Name].Add(reader.IsDBNull(c + 1) ? double.NaN : reader.GetDouble(c + 1));
                else
                    categorical[column.Name].Add(reader.IsDBNull(c + 1) ? null : reader.GetString(c + 1));
            }
            var last = definition.Columns.Count + 1;
            labels.Add(reader.IsDBNull(last) ? double.NaN : reader.GetDouble(last));
        }
        return new FeatureFrame(definition.Columns, entityIds.ToArray(), numeric.ToDictionary(c => c.Key, c => c.Value.ToArray()),
            categorical.ToDictionary(c => c.Key, c => c.Value.ToArray()), labels.ToArray());
    }

    private static string QuotedTable(string name) => "features." + SqlIdentifier.Quote(name, "feature table name");
}
