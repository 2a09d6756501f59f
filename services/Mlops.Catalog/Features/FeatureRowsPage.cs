namespace Mlops.Catalog.Features;

/// <summary>
/// One page of a version's rows, ordered by entity id: each row maps column to value (null where the value is missing).
/// <see cref="NextAfter"/> is the entity id to ask for the next page after; null on the last page.
/// </summary>
public sealed record FeatureRowsPage(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows, long? NextAfter);
