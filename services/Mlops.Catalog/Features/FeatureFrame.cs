namespace Mlops.Catalog.Features;

/// <summary>
/// Feature rows held by column: numeric columns as doubles (NaN where the value is null), categorical columns as
/// strings (null where missing), and the label (NaN where missing) when the table has one.
/// </summary>
public sealed class FeatureFrame
{
    public FeatureFrame(IReadOnlyList<FeatureColumn> columns, long[] entityIds, IReadOnlyDictionary<string, double[]> numeric,
        IReadOnlyDictionary<string, string?[]> categorical, double[]? labels)
    {
        Columns = columns;
        EntityIds = entityIds;
        Numeric = numeric;
        Categorical = categorical;
        Labels = labels;

        foreach (var column in columns)
        {
            var length = column.Type == FeatureType.Numeric
                ? numeric.TryGetValue(column.Name, out var values) ? values.Length : -1
                : categorical.TryGetValue(column.Name, out var categories) ? categories.Length : -1;
            if (length != entityIds.Length)
                throw new ArgumentException($"Column {column.Name} has {length} values for {entityIds.Length} rows.");
        }
        if (labels is not null && labels.Length != entityIds.Length)
            throw new ArgumentException($"The label has {labels.Length} values for {entityIds.Length} rows.");
    }

    public IReadOnlyList<FeatureColumn> Columns { get; }
    public long[] EntityIds { get; }
    public IReadOnlyDictionary<string, double[]> Numeric { get; }
    public IReadOnlyDictionary<string, string?[]> Categorical { get; }
    public double[]? Labels { get; }
    public int RowCount => EntityIds.Length;

    /// <summary>The value of one cell: a double (NaN for null) or a string (or null).</summary>
    public object? Value(string column, int row) =>
        Numeric.TryGetValue(column, out var numeric) ? numeric[row]
        : Categorical.TryGetValue(column, out var categorical) ? categorical[row]
        : throw new KeyNotFoundException($"The frame has no column {column}.");

    /// <summary>A frame of the given rows, in the given order.</summary>
    public FeatureFrame Rows(IReadOnlyList<int> rows)
    {
        T[] Pick<T>(T[] source)
        {
            var result = new T[rows.Count];
            for (var i = 0; i < rows.Count; i++)
                result[i] = source[rows[i]];
            return result;
        }

        return new FeatureFrame(Columns, Pick(EntityIds),
            Numeric.ToDictionary(c => c.Key, c => Pick(c.Value)),
            Categorical.ToDictionary(c => c.Key, c => Pick(c.Value)),
            Labels is null ? null : Pick(Labels));
    }
}
