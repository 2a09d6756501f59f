using System.Security.Cryptography;
using System.Text;
using Mlops.Hosting.Data;

namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// A feature table definition checked against its source's columns: every expression parsed (and rendered to SQL by
/// <see cref="ExpressionRenderer"/>), every name a safe identifier, every rule about a column the table has.
/// The source's columns are kept so a refresh can tell a schema change from the table it was registered against.
/// </summary>
public sealed record FeatureTableSpec
{
    public const string SourceAlias = "s";
    public const string LabelAlias = "l";
    public const string RawSchema = "raw";
    public const string BatchColumn = "batch_id";
    public const string EventTimeColumn = "event_time";
    public const int MaxDescription = 2_000;

    private static readonly HashSet<string> EntityTypes = ["bigint", "integer", "smallint"];
    private static readonly HashSet<string> TimeTypes = ["timestamp with time zone", "timestamp without time zone", "date"];

    public required string Name { get; init; }
    public string? Description { get; init; }
    public required string SourceTable { get; init; }
    public required string EntityColumn { get; init; }
    /// <summary>The source column holding each row's event time; null: the time its batch landed.</summary>
    public string? TimestampColumn { get; init; }
    public required IReadOnlyList<Feature> Features { get; init; }
    public Label? LabelSpec { get; init; }
    public double? MaxNullRate { get; init; }
    public required IReadOnlyList<QualityRule> Rules { get; init; }
    public required IReadOnlyList<SourceColumn> SourceColumns { get; init; }
    public IReadOnlyList<SourceColumn> LabelSourceColumns { get; init; } = [];

    /// <summary>Labels stored apart from the feature rows (their own source or time) and joined point-in-time for training.</summary>
    public bool SeparateLabels => LabelSpec is { Source: not null } or { Timestamp: not null };

    /// <summary>The catalogue's shape of this table: the columns a version holds.</summary>
    public FeatureTableDefinition Table => new FeatureTableDefinition
    {
        Name = Name, EntityColumn = EntityColumn, SourceTable = SourceTable, Description = Description,
        Columns = Features.Select(f => new FeatureColumn(f.Name, f.Type)).ToList(),
        LabelColumn = LabelSpec?.Name,
    }.Validate();

    /// <summary>A digest of the definition's meaning (names, types, rendered SQL, rules), not of its YAML's spelling.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CatalogJson.Serialize(new
    {
        Name, Description, SourceTable, EntityColumn, TimestampColumn, MaxNullRate, Rules,
        Features = Features.Select(f => new { f.Name, f.Type, f.Sql }),
        Label = LabelSpec is null ? null : new { LabelSpec.Name, LabelSpec.Sql, LabelSpec.Source, LabelSpec.EntityColumn, LabelSpec.Timestamp },
        SourceColumns, LabelSourceColumns,
    }))));

    public sealed record Feature(string Name, FeatureType Type, string Sql, string? Description);

    /// <summary>The label: an expression over its source (the table's own unless <see cref="Source"/> names another raw table).</summary>
    public sealed record Label(string Name, string Sql, string? Source, string EntityColumn, string? Timestamp);

    public sealed record QualityRule(string Column, double? MaxNullRate, double? Min, double? Max, IReadOnlyList<string>? Allowed, bool Unique);

    /// <summary>The source tables a document names, to look their columns up before <see cref="Compile"/>.</summary>
    public static (string Source, string? LabelSource) Sources(FeatureTableDocument document) =>
        (RawTable(document.Source, "source"), document.Label?.Source is { } labelSource ? RawTable(labelSource, "label.source") : null);

    public static FeatureTableSpec Compile(FeatureTableDocument document, IReadOnlyList<SourceColumn> sourceColumns,
        IReadOnlyList<SourceColumn>? labelSourceColumns = null)
    {
        var name = Identifier(document.Name, "name", "feature table name");
        var (source, labelSource) = Sources(document);
        if (sourceColumns.Count == 0)
            throw new FeatureDefinitionException("source", $"Source table {source} does not exist.");
        var description = document.Description?.Trim();
        if (description is { Length: > MaxDescription })
            throw new FeatureDefinitionException("description", $"The description has {description.Length} characters; at most {MaxDescription} are allowed.");

        var types = sourceColumns.ToDictionary(c => c.Name, c => c.DataType, StringComparer.Ordinal);
        var entity = Column(document.Entity, "entity", source, types, EntityTypes);
        var timestamp = document.Timestamp is null ? null : Column(document.Timestamp, "timestamp", source, types, TimeTypes);
        var readable = types.Keys.Where(c => c != BatchColumn).ToHashSet(StringComparer.Ordinal);

        if (document.Features is not { Count: > 0 } features)
            throw new FeatureDefinitionException("features", $"Feature table {name} defines no features.");
        var compiled = new List<Feature>();
        var names = new HashSet<string>(StringComparer.Ordinal) { entity, "version", EventTimeColumn };
        for (var i = 0; i < features.Count; i++)
        {
            var feature = features[i] ?? throw new FeatureDefinitionException($"features[{i}]", $"features[{i}] is empty.");
            var featureName = Identifier(feature.Name, $"features[{i}].name", "feature name");
            if (!names.Add(featureName))
                throw new FeatureDefinitionException($"features[{i}].name", $"Feature name '{featureName}' repeats the entity, another feature or a reserved column (version, event_time).");
            var type = feature.Type switch
            {
                "numeric" => FeatureType.Numeric,
                "categorical" => FeatureType.Categorical,
                _ => throw new FeatureDefinitionException($"features[{i}].type", $"Feature {featureName} has type '{feature.Type}'; use numeric or categorical."),
            };
            var node = ExpressionParser.Parse(feature.Expression, readable, $"feature {featureName}", $"features[{i}].expression");
            compiled.Add(new Feature(featureName, type, ExpressionRenderer.Render(node, SourceAlias), feature.Description?.Trim()));
        }

        Label? label = null;
        if (document.Label is { } labelDocument)
        {
            var labelName = Identifier(labelDocument.Name, "label.name", "label name");
            if (!names.Add(labelName))
                throw new FeatureDefinitionException("label.name", $"Label name '{labelName}' repeats the entity, a feature or a reserved column.");
            var labelColumns = types;
            if (labelSource is not null)
            {
                if (labelSourceColumns is not { Count: > 0 })
                    throw new FeatureDefinitionException("label.source", $"Label source table {labelSource} does not exist.");
                labelColumns = labelSourceColumns.ToDictionary(c => c.Name, c => c.DataType, StringComparer.Ordinal);
            }
            var labelTable = labelSource ?? source;
            var labelEntity = labelSource is null ? entity : Column(labelDocument.Entity ?? entity, "label.entity", labelTable, labelColumns, EntityTypes);
            if (labelSource is null && labelDocument.Entity is not null && labelDocument.Entity != entity)
                throw new FeatureDefinitionException("label.entity", "label.entity names the label source's key column; without label.source the label shares the table's entity.");
            var labelTime = labelDocument.Timestamp is null ? null : Column(labelDocument.Timestamp, "label.timestamp", labelTable, labelColumns, TimeTypes);
            if (labelSource is not null && labelTime is null)
                throw new FeatureDefinitionException("label.timestamp",
                    $"A label from its own source ({labelSource}) needs label.timestamp: the time each label was observed, to join features as they were then.");
            var node = ExpressionParser.Parse(labelDocument.Expression, labelColumns.Keys.Where(c => c != BatchColumn).ToHashSet(StringComparer.Ordinal), $"label {labelName}",
                "label.expression");
            label = new Label(labelName, ExpressionRenderer.Render(node, labelSource is null ? SourceAlias : LabelAlias), labelSource, labelEntity, labelTime);
        }

        var quality = document.Quality;
        if (quality?.MaxNullRate is { } rate and (< 0 or > 1 or double.NaN))
            throw new FeatureDefinitionException("quality.max_null_rate", $"quality.max_null_rate is {rate}; use a fraction between 0 and 1.");
        var checkable = compiled.Select(f => f.Name).Concat(label is null ? [] : [label.Name]).ToHashSet(StringComparer.Ordinal);
        var rules = new List<QualityRule>();
        for (var i = 0; i < (quality?.Rules?.Count ?? 0); i++)
            rules.Add(Rule(quality!.Rules![i], $"quality.rules[{i}]", checkable, compiled));

        return new FeatureTableSpec
        {
            Name = name, Description = string.IsNullOrEmpty(description) ? null : description, SourceTable = source, EntityColumn = entity,
            TimestampColumn = timestamp, Features = compiled, LabelSpec = label, MaxNullRate = quality?.MaxNullRate, Rules = rules,
            SourceColumns = sourceColumns, LabelSourceColumns = labelSourceColumns ?? [],
        };
    }

    private static QualityRule Rule(FeatureTableDocument.RuleDocument? rule, string field, IReadOnlySet<string> columns, IReadOnlyList<Feature> features)
    {
        if (rule is null)
            throw new FeatureDefinitionException(field, $"{field} is empty.");
        if (rule.Column is null || !columns.Contains(rule.Column))
            throw new FeatureDefinitionException($"{field}.column",
                $"{field} checks '{rule.Column}', which is not a feature or the label of this table; it has {string.Join(", ", columns.Order(StringComparer.Ordinal))}.");
        var numeric = features.FirstOrDefault(f => f.Name == rule.Column)?.Type != FeatureType.Categorical;
        if (rule.MaxNullRate is { } rate and (< 0 or > 1 or double.NaN))
            throw new FeatureDefinitionException($"{field}.max_null_rate", $"{field}.max_null_rate is {rate}; use a fraction between 0 and 1.");
        if ((rule.Min is not null || rule.Max is not null) && !numeric)
            throw new FeatureDefinitionException(field, $"{field}: min and max apply to numeric columns; {rule.Column} is categorical.");
        if (rule.Min is { } min && !double.IsFinite(min) || rule.Max is { } max && !double.IsFinite(max))
            throw new FeatureDefinitionException(field, $"{field}: min and max must be finite numbers.");
        if (rule is { Min: { } low, Max: { } high } && low > high)
            throw new FeatureDefinitionException(field, $"{field}: min {low} is above max {high}.");
        if (rule.Allowed is { } allowed && (allowed.Count == 0 || numeric || allowed.Any(v => v is null || v.Contains('\0'))))
            throw new FeatureDefinitionException($"{field}.allowed", $"{field}.allowed lists the values of a categorical column (at least one, no nulls).");
        if (rule is { MaxNullRate: null, Min: null, Max: null, Allowed: null, Unique: not true })
            throw new FeatureDefinitionException(field, $"{field} checks nothing: give max_null_rate, min, max, allowed or unique.");
        return new QualityRule(rule.Column, rule.MaxNullRate, rule.Min, rule.Max, rule.Allowed, rule.Unique == true);
    }

    private static string RawTable(string? name, string field)
    {
        var parts = (name ?? "").Split('.');
        if (parts.Length != 2 || !SqlIdentifier.IsValid(parts[0]) || !SqlIdentifier.IsValid(parts[1]))
            throw new FeatureDefinitionException(field, $"{field} '{name}' is not a raw table name: expected raw.<table>.");
        if (parts[0] != RawSchema)
            throw new FeatureDefinitionException(field, $"{field} '{name}' is in schema {parts[0]}; feature tables read raw tables only (raw.<table>).");
        return name!;
    }

    private static string Identifier(string? value, string field, string what) =>
        SqlIdentifier.IsValid(value)
            ? value!
            : throw new FeatureDefinitionException(field,
                $"{field} '{value}' is not a valid {what}: use 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores, not starting with a digit.");

    private static string Column(string? name, string field, string table, IReadOnlyDictionary<string, string> types, IReadOnlySet<string> allowedTypes)
    {
        if (name is null || !types.TryGetValue(name, out var type))
            throw new FeatureDefinitionException(field, $"{field} '{name}' is not a column of {table}; it has {string.Join(", ", types.Keys)}.");
        if (!allowedTypes.Contains(type))
            throw new FeatureDefinitionException(field, $"{field} '{name}' is {type}; it must be {string.Join(" or ", allowedTypes)}.");
        return name;
    }
}
