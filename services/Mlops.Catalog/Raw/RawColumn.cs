namespace Mlops.Catalog.Raw;

/// <summary>One column of a raw table; <see cref="Required"/> columns are NOT NULL and must be non-empty in every landed row.</summary>
public sealed record RawColumn(string Name, RawColumnType Type, bool Required);
