using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// Registers YAML feature table definitions and finds the current one. A definition is compiled against the source's
/// columns, then each rendered expression runs once in PostgreSQL (LIMIT 0, in a read-only transaction with pg_catalog
/// alone on the search path) so that type errors and declared types that PostgreSQL disagrees with are refused at
/// registration, not at the first refresh. Computing runs under <see cref="DatabaseAccessPolicy.FeatureComputeRole"/>.
/// </summary>
public sealed class FeatureTableRegistry(NpgsqlDataSource dataSource)
{
    private static readonly HashSet<string> NumericTypes = ["smallint", "integer", "bigint", "real", "double precision", "numeric"];
    private static readonly HashSet<string> CategoricalTypes = ["text", "character varying", "character"];

    /// <summary>The definition compiled and checked by PostgreSQL; throws <see cref="FeatureDefinitionException"/> with the reason.</summary>
    public async Task<FeatureTableSpec> CompileAsync(string? yaml, CancellationToken cancellationToken = default)
    {
        var document = FeatureTableDocument.Read(yaml);
        var (source, labelSource) = FeatureTableSpec.Sources(document);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sourceColumns = await ColumnsAsync(connection, null, source, cancellationToken);
        var labelColumns = labelSource is null ? null : await ColumnsAsync(connection, null, labelSource, cancellationToken);
        var spec = FeatureTableSpec.Compile(document, sourceColumns, labelColumns);

        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        // Read only, built-ins only, and briefly: the check plans each expression and reads no row (LIMIT 0).
        await connection.ExecuteAsync(new CommandDefinition(
            "SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog; SET LOCAL statement_timeout = '10s'",
            transaction: transaction, cancellationToken: cancellationToken));
        for (var i = 0; i < spec.Features.Count; i++)
        {
            var feature = spec.Features[i];
            var field = $"features[{i}].expression";
            var type = await ResultTypeAsync(connection, transaction, feature.Sql, spec.SourceTable, FeatureTableSpec.SourceAlias, $"feature {feature.Name}",
                field, cancellationToken);
            var expected = feature.Type == FeatureType.Numeric ? NumericTypes : CategoricalTypes;
            if (!expected.Contains(type))
                throw new FeatureDefinitionException(field,
                    $"Feature {feature.Name} is declared {feature.Type.ToString().ToLowerInvariant()} but its expression gives {type}" +
                    (feature.Type == FeatureType.Numeric ? "; CAST it to a number or use CASE WHEN ... THEN 1 ELSE 0 END." : "; CAST it AS text."));
        }
        if (spec.LabelSpec is { } label)
        {
            var (table, alias) = label.Source is null ? (spec.SourceTable, FeatureTableSpec.SourceAlias) : (label.Source, FeatureTableSpec.LabelAlias);
            var type = await ResultTypeAsync(connection, transaction, label.Sql, table, alias, $"label {label.Name}", "label.expression", cancellationToken);
            if (!NumericTypes.Contains(type))
                throw new FeatureDefinitionException("label.expression",
                    $"Label {label.Name} gives {type}; a label is numeric (0/1 for a classifier): write CAST(x AS integer) or CASE WHEN ... THEN 1 ELSE 0 END.");
        }
        await transaction.RollbackAsync(cancellationToken);
        return spec;
    }

    /// <summary>
    /// Records <paramref name="spec"/> as the table's next definition version, in the session's transaction. An identical
    /// definition (same fingerprint as the current one) changes nothing; one that changes the table's output columns is refused.
    /// </summary>
    public async Task<FeatureRegistration> RegisterAsync(DbSession session, FeatureTableSpec spec, string yaml, string principal,
        CancellationToken cancellationToken = default)
    {
        var table = spec.Table;
        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('features.tables/' || @Name))",
            new { table.Name }, session.Transaction, cancellationToken: cancellationToken));
        var existing = await session.Connection.QuerySingleOrDefaultAsync<(string Columns, string EntityColumn, string? LabelColumn, string SourceTable)?>(
            new CommandDefinition("SELECT columns::text, entity_column, label_column, source_table FROM features.tables WHERE name = @Name FOR UPDATE",
                new { table.Name }, session.Transaction, cancellationToken: cancellationToken));
        var current = await session.Connection.QuerySingleOrDefaultAsync<(int Version, string Fingerprint)?>(new CommandDefinition(
            "SELECT version, fingerprint FROM features.definitions WHERE table_name = @Name ORDER BY version DESC LIMIT 1",
            new { table.Name }, session.Transaction, cancellationToken: cancellationToken));
        var columns = table.Columns.Select(c => c.Name).ToList();
        var fingerprint = spec.Fingerprint;
        if (current is { } same && same.Fingerprint == fingerprint)
            return new FeatureRegistration(table.Name, same.Version, false, table.SourceTable, columns);

        if (existing is { } e)
        {
            if (!CatalogJson.Deserialize<List<FeatureColumn>>(e.Columns).SequenceEqual(table.Columns) || e.EntityColumn != table.EntityColumn
                || e.LabelColumn != table.LabelColumn || e.SourceTable != table.SourceTable)
                throw new InvalidOperationException(
                    $"Feature table {table.Name} already exists with other columns, entity, label or source; a schema change needs a new feature table.");
        }
        else
        {
            await FeatureStore.InsertCatalogueRowAsync(session, table, cancellationToken);
        }

        var version = (current?.Version ?? 0) + 1;
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO features.definitions (table_name, version, document, fingerprint, source_columns, label_source_columns, registered_by)
            VALUES (@Name, @version, @yaml, @fingerprint, @SourceColumns::jsonb, @LabelSourceColumns::jsonb, @principal);
            UPDATE features.tables SET definition_version = @version, description = @Description WHERE name = @Name;
            """, new
            {
                table.Name, version, yaml, fingerprint, principal, table.Description,
                SourceColumns = CatalogJson.Serialize(spec.SourceColumns), LabelSourceColumns = CatalogJson.Serialize(spec.LabelSourceColumns),
            }, session.Transaction, cancellationToken: cancellationToken));
        return new FeatureRegistration(table.Name, version, true, table.SourceTable, columns);
    }

    /// <summary>The environments that hold versions of a table: changing its definition changes what they compute next.</summary>
    public async Task<IReadOnlyList<string>> EnvironmentsOfAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT environment FROM features.table_versions WHERE table_name = @name AND environment IS NOT NULL ORDER BY environment",
            new { name }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The table's current definition compiled again from its YAML and the columns it was registered against; null when it has none.</summary>
    public async Task<(FeatureTableSpec Spec, int Version)?> FindAsync(DbSession session, string name, CancellationToken cancellationToken = default)
    {
        var row = await session.Connection.QuerySingleOrDefaultAsync<(int Version, string Document, string SourceColumns, string LabelSourceColumns)?>(
            new CommandDefinition("""
                SELECT d.version, d.document, d.source_columns::text, d.label_source_columns::text
                FROM features.tables t JOIN features.definitions d ON d.table_name = t.name AND d.version = t.definition_version
                WHERE t.name = @name
                """, new { name }, session.Transaction, cancellationToken: cancellationToken));
        if (row is not { } r)
            return null;
        var labelColumns = CatalogJson.Deserialize<List<SourceColumn>>(r.LabelSourceColumns);
        var spec = FeatureTableSpec.Compile(FeatureTableDocument.Read(r.Document), CatalogJson.Deserialize<List<SourceColumn>>(r.SourceColumns),
            labelColumns.Count == 0 ? null : labelColumns);
        return (spec, r.Version);
    }

    /// <summary>A raw table's columns in order, as information_schema has them; empty when it does not exist.</summary>
    public static async Task<IReadOnlyList<SourceColumn>> ColumnsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string table,
        CancellationToken cancellationToken)
    {
        var parts = table.Split('.');
        var columns = await connection.QueryAsync<(string Name, string DataType)>(new CommandDefinition("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = @schema AND table_name = @name ORDER BY ordinal_position
            """, new { schema = parts[0], name = parts[^1] }, transaction, cancellationToken: cancellationToken));
        return columns.Select(c => new SourceColumn(c.Name, c.DataType)).ToList();
    }

    /// <summary>
    /// Drops the session's rights to the compute role's for the rest of the transaction, with pg_catalog alone on the search
    /// path (no function or table of another schema can stand in for a built-in). Undone by <see cref="LeaveComputeRoleAsync"/>.
    /// </summary>
    public static async Task<string> EnterComputeRoleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var searchPath = await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT current_setting('search_path')",
            transaction: transaction, cancellationToken: cancellationToken)) ?? "";
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"SET LOCAL ROLE {SqlIdentifier.Quote(DatabaseAccessPolicy.FeatureComputeRole)}; SET LOCAL search_path = pg_catalog",
                transaction: transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.InvalidParameterValue or PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException(
                $"Cannot run feature expressions as {DatabaseAccessPolicy.FeatureComputeRole}: {exception.MessageText}. deploy/infra.sh makes that role and grants it.",
                exception);
        }
        return searchPath;
    }

    public static Task LeaveComputeRoleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string searchPath, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SET LOCAL ROLE NONE; SELECT set_config('search_path', @searchPath, true)",
            new { searchPath }, transaction, cancellationToken: cancellationToken));

    private static async Task<string> ResultTypeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string table, string alias,
        string what, string field, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync("expression", cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT {sql} FROM {SqlIdentifier.QuoteQualified(table)} AS {alias} LIMIT 0", connection, transaction);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var type = reader.GetDataTypeName(0);
            await reader.CloseAsync();
            await transaction.ReleaseAsync("expression", cancellationToken);
            return type;
        }
        catch (PostgresException exception) when (!exception.SqlState.StartsWith("08", StringComparison.Ordinal))
        {
            await transaction.RollbackAsync("expression", cancellationToken);
            throw new FeatureDefinitionException(field, $"PostgreSQL refuses the expression of {what}: {exception.MessageText} (SQL state {exception.SqlState}).");
        }
    }
}
