using System.Text.Json;
using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Raw;

/// <summary>
/// The register of raw tables (raw.tables) and their physical tables raw."name". Registering creates the table in the
/// same transaction as its register row; the identical schema again changes nothing, another schema under the name is refused.
/// </summary>
public sealed class RawTables(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Registers <paramref name="schema"/> in the session's transaction; false when the identical schema was already registered.</summary>
    /// <exception cref="RawTableConflictException">The name holds another schema, or a table nobody registered.</exception>
    public async Task<bool> RegisterAsync(DbSession session, RawTableSchema schema, string principal, CancellationToken cancellationToken = default)
    {
        // Two registrations of one name wait for each other here rather than racing to CREATE TABLE.
        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('raw.tables:' || @name))",
            new { name = schema.Name }, session.Transaction, cancellationToken: cancellationToken));

        if (await FindAsync(session.Connection, session.Transaction, schema.Name, cancellationToken) is { } registered)
        {
            var differences = schema.DifferencesFrom(registered);
            if (differences.Count == 0)
                return false;
            throw new RawTableConflictException($"{schema.QualifiedName} is already registered with another schema: {string.Join("; ", differences)}.");
        }

        var exists = await session.Connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass(quote_ident('raw') || '.' || quote_ident(@name)) IS NOT NULL", new { name = schema.Name }, session.Transaction,
            cancellationToken: cancellationToken));
        if (exists)
            throw new RawTableConflictException($"{schema.QualifiedName} exists but was never registered: choose another name, or ask an operator to register or drop it.");

        await session.Connection.ExecuteAsync(new CommandDefinition(CreateTableSql(schema), transaction: session.Transaction, cancellationToken: cancellationToken));
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO raw.tables (name, columns, key_columns, event_time, registered_by)
            VALUES (@Name, @Columns::jsonb, @Key, @EventTime, @principal)
            """, new
        {
            schema.Name,
            Columns = JsonSerializer.Serialize(schema.Columns.Select(c => new StoredColumn(c.Name, c.Type.Name, c.Required)), Json),
            Key = schema.Key.ToArray(),
            schema.EventTime,
            principal,
        }, session.Transaction, cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>A registered table by name (raw.name or name), or null.</summary>
    public async Task<RawTableSchema?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, null, RawTableSchema.LocalName(name), cancellationToken);
    }

    public async Task<RawTableSchema?> FindAsync(DbSession session, string name, CancellationToken cancellationToken = default) =>
        await FindAsync(session.Connection, session.Transaction, RawTableSchema.LocalName(name), cancellationToken);

    public async Task<IReadOnlyList<RawTableSchema>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredTable>(new CommandDefinition($"{SelectSql} ORDER BY name", cancellationToken: cancellationToken));
        return rows.Select(ToSchema).ToList();
    }

    private static async Task<RawTableSchema?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<StoredTable>(new CommandDefinition($"{SelectSql} WHERE name = @name", new { name }, transaction,
            cancellationToken: cancellationToken));
        return row is null ? null : ToSchema(row);
    }

    private static RawTableSchema ToSchema(StoredTable row) => new()
    {
        Name = row.Name,
        Columns = JsonSerializer.Deserialize<List<StoredColumn>>(row.Columns, Json)!
            .Select(c => new RawColumn(c.Name, RawColumnType.Find(c.Type) ?? throw new InvalidOperationException($"raw.tables holds an unknown type {c.Type} for {row.Name}.{c.Name}."), c.Required))
            .ToList(),
        Key = row.KeyColumns,
        EventTime = row.EventTime,
    };

    /// <summary>Every identifier was validated by <see cref="RawTableSchema.Create"/> and is quoted again here; types come from the closed set.</summary>
    private static string CreateTableSql(RawTableSchema schema)
    {
        var columns = schema.Columns.Select(c => $"    {SqlIdentifier.Quote(c.Name, "column name")} {c.Type.Name}{(c.Required ? " NOT NULL" : "")},");
        var key = string.Join(", ", schema.Key.Select(k => SqlIdentifier.Quote(k, "column name")));
        return $"""
            CREATE TABLE {SqlIdentifier.QuoteQualified(schema.QualifiedName)} (
                {RawTableSchema.BatchColumn} uuid NOT NULL REFERENCES raw.batches (batch_id),
            {string.Join("\n", columns)}
                PRIMARY KEY ({RawTableSchema.BatchColumn}, {key})
            )
            """;
    }

    private const string SelectSql = """
        SELECT name AS Name, columns::text AS Columns, key_columns AS KeyColumns, event_time AS EventTime FROM raw.tables
        """;

    private sealed record StoredColumn(string Name, string Type, bool Required);

    private sealed class StoredTable
    {
        public string Name { get; set; } = "";
        public string Columns { get; set; } = "";
        public string[] KeyColumns { get; set; } = [];
        public string? EventTime { get; set; }
    }
}
