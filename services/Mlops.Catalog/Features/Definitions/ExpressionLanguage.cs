namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// What a feature expression may use beyond columns, literals and operators (docs/features.md lists the same): functions
/// with their argument counts, CAST's target types and EXTRACT's fields. Every function is a pure pg_catalog built-in:
/// nothing that sleeps, reads files or tables, or changes settings.
/// </summary>
public static class ExpressionLanguage
{
    public const int MaxLength = 4_000;

    /// <summary>How deep parentheses, operators and calls may nest: deeper input is refused, never a stack overflow.</summary>
    public const int MaxDepth = 64;

    public static IReadOnlyDictionary<string, (int Min, int Max)> Functions { get; } = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["abs"] = (1, 1), ["sign"] = (1, 1), ["sqrt"] = (1, 1), ["ln"] = (1, 1), ["exp"] = (1, 1), ["power"] = (2, 2),
        ["floor"] = (1, 1), ["ceil"] = (1, 1), ["round"] = (1, 2), ["trunc"] = (1, 2),
        ["coalesce"] = (1, 32), ["nullif"] = (2, 2), ["greatest"] = (1, 32), ["least"] = (1, 32),
        ["lower"] = (1, 1), ["upper"] = (1, 1), ["length"] = (1, 1), ["trim"] = (1, 1), ["substr"] = (2, 3),
        ["date_part"] = (2, 2),
    };

    /// <summary>CAST targets as written (lower case) and the canonical PostgreSQL type each renders as.</summary>
    public static IReadOnlyDictionary<string, string> CastTypes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["smallint"] = "smallint", ["integer"] = "integer", ["int"] = "integer", ["bigint"] = "bigint",
        ["real"] = "real", ["double precision"] = "double precision", ["float"] = "double precision", ["numeric"] = "numeric",
        ["text"] = "text", ["varchar"] = "text", ["boolean"] = "boolean", ["bool"] = "boolean",
        ["date"] = "date", ["timestamp"] = "timestamp without time zone", ["timestamptz"] = "timestamp with time zone",
    };

    /// <summary>Fields of EXTRACT(field FROM x) and of date_part('field', x).</summary>
    public static IReadOnlySet<string> DateFields { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "year", "quarter", "month", "week", "day", "dow", "isodow", "doy", "hour", "minute", "second", "epoch",
    };
}
