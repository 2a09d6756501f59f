namespace Mlops.Serving.Inference;

/// <summary>
/// A request's rows, aligned with the model's inputs. A row that names an entity key and leaves inputs out holds
/// <see cref="Missing"/> in their places and its key in <see cref="Keys"/>: those cells are filled from the online store, and
/// every value the request did send stays as sent (it overrides the stored one).
/// </summary>
public sealed class InvocationRows(IReadOnlyList<object?[]> rows, long?[]? keys)
{
    /// <summary>The place of an input the request left out, to be looked up by the row's entity key.</summary>
    public static readonly object Missing = new();

    public IReadOnlyList<object?[]> Rows { get; } = rows;

    /// <summary>Per row, the entity key to look up; null for rows that carry every input, and null as a whole when none is looked up.</summary>
    public long?[]? Keys { get; } = keys;
}
