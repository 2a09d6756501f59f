using Mlops.Catalog.Raw;

namespace Mlops.Api.Responses;

/// <summary>A registered raw table; <see cref="Created"/> is false when a registration found the identical schema already there.</summary>
public sealed record RawTableView(string Name, IReadOnlyList<RawColumnView> Columns, IReadOnlyList<string> Key, string? EventTime, bool Created = false)
{
    public static RawTableView Of(RawTableSchema schema, bool created = false) =>
        new(schema.QualifiedName, schema.Columns.Select(c => new RawColumnView(c.Name, c.Type.Name, c.Required)).ToList(), schema.Key, schema.EventTime, created);
}
