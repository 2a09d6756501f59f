using Mlops.Hosting.Data;

namespace Mlops.Catalog.Raw;

/// <summary>
/// A raw table's registered shape: raw."name" with a batch_id column, then <see cref="Columns"/> in order, keyed by
/// (batch_id, <see cref="Key"/>...). Key and event-time columns are always required (NOT NULL).
/// </summary>
public sealed record RawTableSchema
{
    public const string Schema = "raw";
    public const string BatchColumn = "batch_id";
    public const int MaxColumns = 200;
    public const int MaxKeyColumns = 8;

    /// <summary>Names in schema raw that are the landing zone's own bookkeeping, not landing tables.</summary>
    private static readonly HashSet<string> ReservedTables = ["batches", "tables"];

    public required string Name { get; init; }
    public required IReadOnlyList<RawColumn> Columns { get; init; }
    public required IReadOnlyList<string> Key { get; init; }
    public string? EventTime { get; init; }

    /// <summary>raw.name, as raw batches and RawDataLanded name the table.</summary>
    public string QualifiedName => $"{Schema}.{Name}";

    public RawColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>Strips the optional <c>raw.</c> prefix: <c>raw.orders</c> and <c>orders</c> name the same table.</summary>
    public static string LocalName(string? name) =>
        name is not null && name.StartsWith(Schema + ".", StringComparison.Ordinal) ? name[(Schema.Length + 1)..] : name ?? "";

    /// <summary>
    /// Checks a schema as a client wrote it, every part, and builds it when nothing is wrong. Column types are PostgreSQL's
    /// names from <see cref="RawColumnType.All"/>.
    /// </summary>
    public static (RawTableSchema? Schema, IReadOnlyList<RawSchemaProblem> Problems) Create(string? name,
        IReadOnlyList<(string? Name, string? Type, bool? Required)>? columns, IReadOnlyList<string?>? key, string? eventTime)
    {
        var problems = new List<RawSchemaProblem>();
        var local = LocalName(name);
        if (!SqlIdentifier.IsValid(local))
            problems.Add(new("name", $"'{name}' is not a raw table name: use raw.<name> or <name>, the name 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores, not starting with a digit."));
        else if (ReservedTables.Contains(local))
            problems.Add(new("name", $"raw.{local} is the landing zone's own table: choose another name."));

        var built = new List<RawColumn>();
        if (columns is not { Count: > 0 })
            problems.Add(new("columns", "columns must list at least one column."));
        else if (columns.Count > MaxColumns)
            problems.Add(new("columns", $"columns lists {columns.Count} columns; a raw table has at most {MaxColumns}."));
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Count; i++)
            {
                var (columnName, typeName, required) = columns[i];
                var field = $"columns[{i}]";
                if (!SqlIdentifier.IsValid(columnName))
                    problems.Add(new($"{field}.name", $"'{columnName}' is not a column name: use 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores, not starting with a digit."));
                else if (columnName == BatchColumn)
                    problems.Add(new($"{field}.name", $"{BatchColumn} is added to every raw table by the landing zone: do not declare it."));
                else if (!seen.Add(columnName!))
                    problems.Add(new($"{field}.name", $"column {columnName} is declared twice."));
                var type = RawColumnType.Find(typeName);
                if (type is null)
                    problems.Add(new($"{field}.type", $"'{typeName}' is not a raw column type: use one of {string.Join(", ", RawColumnType.All)}."));
                if (SqlIdentifier.IsValid(columnName) && type is not null)
                    built.Add(new RawColumn(columnName!, type, required ?? false));
            }
        }

        var keyColumns = new List<string>();
        if (key is not { Count: > 0 })
            problems.Add(new("key", "key must name at least one column: the entity key, unique within a batch."));
        else if (key.Count > MaxKeyColumns)
            problems.Add(new("key", $"key names {key.Count} columns; at most {MaxKeyColumns}."));
        else
            for (var i = 0; i < key.Count; i++)
            {
                if (built.All(c => c.Name != key[i]) || !SqlIdentifier.IsValid(key[i]))
                    problems.Add(new($"key[{i}]", $"key column '{key[i]}' is not one of the table's columns."));
                else if (keyColumns.Contains(key[i]!))
                    problems.Add(new($"key[{i}]", $"key column {key[i]} is named twice."));
                else
                    keyColumns.Add(key[i]!);
            }

        if (eventTime is not null)
        {
            var column = built.FirstOrDefault(c => c.Name == eventTime);
            if (column is null)
                problems.Add(new("eventTime", $"event-time column '{eventTime}' is not one of the table's columns."));
            else if (!column.Type.IsTime)
                problems.Add(new("eventTime", $"event-time column {eventTime} is {column.Type}; it must be timestamptz or date."));
        }

        if (problems.Count > 0)
            return (null, problems);
        return (new RawTableSchema
        {
            Name = local,
            Columns = built.Select(c => c with { Required = c.Required || keyColumns.Contains(c.Name) || c.Name == eventTime }).ToList(),
            Key = keyColumns,
            EventTime = eventTime,
        }, problems);
    }

    /// <summary>How <paramref name="registered"/> differs from this schema, one sentence per difference; empty when they are the same.</summary>
    public IReadOnlyList<string> DifferencesFrom(RawTableSchema registered)
    {
        var differences = new List<string>();
        foreach (var column in Columns)
        {
            if (registered.Column(column.Name) is not { } other)
                differences.Add($"column {column.Name} is not registered");
            else if (other.Type != column.Type)
                differences.Add($"column {column.Name} is {column.Type} here but registered as {other.Type}");
            else if (other.Required != column.Required)
                differences.Add($"column {column.Name} is {(column.Required ? "required" : "optional")} here but registered {(other.Required ? "required" : "optional")}");
        }
        differences.AddRange(registered.Columns.Where(c => Column(c.Name) is null).Select(c => $"registered column {c.Name} is missing"));
        if (differences.Count == 0 && !Columns.Select(c => c.Name).SequenceEqual(registered.Columns.Select(c => c.Name)))
            differences.Add($"the columns are in another order than registered ({string.Join(", ", registered.Columns.Select(c => c.Name))})");
        if (!Key.SequenceEqual(registered.Key))
            differences.Add($"the key is ({string.Join(", ", Key)}) here but registered as ({string.Join(", ", registered.Key)})");
        if (EventTime != registered.EventTime)
            differences.Add($"the event time is {EventTime ?? "none"} here but registered as {registered.EventTime ?? "none"}");
        return differences;
    }
}
