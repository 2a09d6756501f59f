namespace Mlops.Api.Responses;

/// <summary>A feature table version and one page of its rows, ordered by entity id; <see cref="NextAfter"/> asks for the next page (null: the last).</summary>
public sealed record FeatureVersionRows(FeatureVersionView Version, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows,
    long? NextAfter);
