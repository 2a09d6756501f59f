using Mlops.Hosting.Data;

namespace Mlops.Catalog.Features;

/// <summary>A feature table: an entity key, typed feature columns and optionally the label models learn.</summary>
public sealed record FeatureTableDefinition
{
    public required string Name { get; init; }
    public required string EntityColumn { get; init; }
    public required IReadOnlyList<FeatureColumn> Columns { get; init; }
    public string? LabelColumn { get; init; }
    public required string SourceTable { get; init; }
    public string? Description { get; init; }

    /// <summary>Throws with a clear message when a name is not a safe identifier or a column repeats.</summary>
    public FeatureTableDefinition Validate()
    {
        SqlIdentifier.Validate(Name, "feature table name");
        SqlIdentifier.Validate(EntityColumn, "entity column name");
        if (LabelColumn is not null)
            SqlIdentifier.Validate(LabelColumn, "label column name");
        if (Columns.Count == 0)
            throw new ArgumentException($"Feature table {Name} has no feature columns.");
        foreach (var column in Columns)
            SqlIdentifier.Validate(column.Name, "feature name");

        var names = Columns.Select(c => c.Name).Append(EntityColumn).Concat(LabelColumn is null ? [] : [LabelColumn]).ToList();
        var repeated = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null || names.Contains("version"))
            throw new ArgumentException($"Feature table {Name} names column '{repeated?.Key ?? "version"}' twice or reserves it.");
        return this;
    }
}
