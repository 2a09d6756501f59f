using NpgsqlTypes;

namespace Mlops.Catalog.Raw;

/// <summary>
/// The closed set of column types a raw table may declare, each a PostgreSQL type by its canonical name. A small set on
/// purpose: every value of each is checked on arrival with the same rules PostgreSQL applies (docs/data.md).
/// </summary>
public sealed record RawColumnType
{
    public static readonly RawColumnType Bigint = new("bigint", NpgsqlDbType.Bigint);
    public static readonly RawColumnType Integer = new("integer", NpgsqlDbType.Integer);
    public static readonly RawColumnType Double = new("double precision", NpgsqlDbType.Double);
    public static readonly RawColumnType Numeric = new("numeric", NpgsqlDbType.Numeric);
    public static readonly RawColumnType Boolean = new("boolean", NpgsqlDbType.Boolean);
    public static readonly RawColumnType Text = new("text", NpgsqlDbType.Text);
    public static readonly RawColumnType Timestamptz = new("timestamptz", NpgsqlDbType.TimestampTz);
    public static readonly RawColumnType Date = new("date", NpgsqlDbType.Date);

    public static IReadOnlyList<RawColumnType> All { get; } = [Bigint, Integer, Double, Numeric, Boolean, Text, Timestamptz, Date];

    private RawColumnType(string name, NpgsqlDbType dbType) => (Name, DbType) = (name, dbType);

    /// <summary>The PostgreSQL type name, as written in DDL and in a schema document.</summary>
    public string Name { get; }

    public NpgsqlDbType DbType { get; }

    /// <summary>Whether an event time may have this type: a point in time or a day.</summary>
    public bool IsTime => this == Timestamptz || this == Date;

    public static RawColumnType? Find(string? name) => All.FirstOrDefault(type => type.Name == name);

    public override string ToString() => Name;
}
