namespace Mlops.Catalog.Features;

/// <summary>
/// One batch of raw rows held by column, each column an array of the nullable CLR type of its PostgreSQL type
/// (bigint long?, integer int?, double precision double?, boolean bool?, text string).
/// </summary>
public sealed class RawRows
{
    private readonly IReadOnlyDictionary<string, Array> _columns;

    public RawRows(int count, IReadOnlyDictionary<string, Array> columns)
    {
        if (columns.FirstOrDefault(c => c.Value.Length != count) is { Key: not null } uneven)
            throw new ArgumentException($"Raw column {uneven.Key} has {uneven.Value.Length} values for {count} rows.", nameof(columns));
        Count = count;
        _columns = columns;
    }

    public int Count { get; }

    public IEnumerable<string> ColumnNames => _columns.Keys;

    /// <summary>A column's values, e.g. <c>Column&lt;int?&gt;("tenure_months")</c>.</summary>
    public T[] Column<T>(string name)
    {
        if (!_columns.TryGetValue(name, out var values))
            throw new KeyNotFoundException($"The raw rows have no column {name}; they have {string.Join(", ", _columns.Keys)}.");
        return values as T[]
            ?? throw new InvalidCastException($"Raw column {name} holds {Describe(values.GetType().GetElementType()!)} values, not {Describe(typeof(T))}.");
    }

    private static string Describe(Type type) => Nullable.GetUnderlyingType(type) is { } underlying ? underlying.Name + "?" : type.Name;
}
