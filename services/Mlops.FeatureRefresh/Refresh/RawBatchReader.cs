using Dapper;
using Mlops.Simulator;
using Mlops.Catalog.Features;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.FeatureRefresh.Refresh;

/// <summary>Reads raw tables in the refresh's transaction: their columns as information_schema has them, and one batch's rows.</summary>
public static class RawBatchReader
{
    /// <summary>The column every raw table carries to tie its rows to raw.batches.</summary>
    public const string BatchColumn = "batch_id";

    /// <summary>The table's columns in order; empty when the table does not exist.</summary>
    public static async Task<IReadOnlyList<SourceColumn>> ColumnsAsync(DbSession session, string sourceTable, CancellationToken cancellationToken)
    {
        var (schema, table) = Split(sourceTable);
        var columns = await session.Connection.QueryAsync<(string Name, string DataType)>(new CommandDefinition("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = @schema AND table_name = @table ORDER BY ordinal_position
            """, new { schema, table }, session.Transaction, cancellationToken: cancellationToken));
        return columns.Select(c => new SourceColumn(c.Name, c.DataType)).ToList();
    }

    /// <summary>The rows of one batch, ordered by the entity column, in the columns (and types) the definition expects.</summary>
    public static async Task<RawRows> ReadAsync(DbSession session, IFeatureDefinition definition, Guid batchId, CancellationToken cancellationToken)
    {
        var columns = definition.SourceColumns.Where(c => c.Name != BatchColumn).ToList();
        var buffers = columns.Select(c => ColumnBuffer.For(c)).ToList();

        await using var command = new NpgsqlCommand($"""
            SELECT {string.Join(", ", columns.Select(c => SqlIdentifier.Quote(c.Name, "raw column name")))}
            FROM {SqlIdentifier.QuoteQualified(definition.Table.SourceTable, "source table name")}
            WHERE {SqlIdentifier.Quote(BatchColumn)} = @batchId
            ORDER BY {SqlIdentifier.Quote(definition.Table.EntityColumn, "entity column name")}
            """, session.Connection, session.Transaction);
        command.Parameters.AddWithValue("batchId", batchId);

        var count = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < buffers.Count; i++)
                    buffers[i].Add(reader, i);
                count++;
            }
        }

        return new RawRows(count, columns.Zip(buffers).ToDictionary(c => c.First.Name, c => c.Second.ToArray()));
    }

    private static (string Schema, string Table) Split(string sourceTable)
    {
        var parts = sourceTable.Split('.');
        return parts.Length == 2
            ? (SqlIdentifier.Validate(parts[0], "schema name"), SqlIdentifier.Validate(parts[1], "source table name"))
            : throw new ArgumentException($"'{sourceTable}' is not a source table name: expected schema.table.", nameof(sourceTable));
    }

    private abstract class ColumnBuffer
    {
        public static ColumnBuffer For(SourceColumn column) => column.DataType switch
        {
            "bigint" => new ValueBuffer<long>(),
            "integer" => new ValueBuffer<int>(),
            "smallint" => new ValueBuffer<short>(),
            "double precision" => new ValueBuffer<double>(),
            "real" => new ValueBuffer<float>(),
            "boolean" => new ValueBuffer<bool>(),
            "uuid" => new ValueBuffer<Guid>(),
            "text" or "character varying" => new TextBuffer(),
            _ => throw new NotSupportedException($"Raw column {column.Name} has type {column.DataType}, which feature definitions cannot read."),
        };

        public abstract void Add(NpgsqlDataReader reader, int ordinal);

        public abstract Array ToArray();
    }

    private sealed class ValueBuffer<T> : ColumnBuffer
        where T : struct
    {
        private readonly List<T?> _values = [];

        public override void Add(NpgsqlDataReader reader, int ordinal) =>
            _values.Add(reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal));

        public override Array ToArray() => _values.ToArray();
    }

    private sealed class TextBuffer : ColumnBuffer
    {
        private readonly List<string?> _values = [];

        public override void Add(NpgsqlDataReader reader, int ordinal) =>
            _values.Add(reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal));

        public override Array ToArray() => _values.ToArray();
    }
}
