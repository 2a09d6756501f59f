using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// A feature table's YAML file as written (docs/features.md). Reading refuses malformed YAML and unknown keys with the line
/// and column; what the keys say is checked by <see cref="FeatureTableSpec.Compile"/> against the source's columns.
/// </summary>
public sealed class FeatureTableDocument
{
    public const int MaxLength = 256 * 1024;

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Source { get; set; }
    public string? Entity { get; set; }
    public string? Timestamp { get; set; }
    public LabelDocument? Label { get; set; }
    public List<FeatureDocument>? Features { get; set; }
    public QualityDocument? Quality { get; set; }

    public static FeatureTableDocument Read(string? yaml)
    {
        if (string.IsNullOrWhiteSpace(yaml))
            throw new FeatureDefinitionException("yaml", "The feature table definition is empty.");
        if (yaml.Length > MaxLength)
            throw new FeatureDefinitionException("yaml", $"The feature table definition has {yaml.Length} characters; at most {MaxLength} are allowed.");
        if (yaml.Contains('\0', StringComparison.Ordinal))
            throw new FeatureDefinitionException("yaml", "The feature table definition holds a NUL character.");
        try
        {
            return Deserializer.Deserialize<FeatureTableDocument?>(yaml)
                ?? throw new FeatureDefinitionException("yaml", "The feature table definition is empty.");
        }
        catch (YamlException exception)
        {
            var reason = (exception.InnerException as YamlException ?? exception).Message;
            // YamlDotNet names our CLR types for an unknown key; the author wrote YAML, so say it in YAML's words.
            var unknown = System.Text.RegularExpressions.Regex.Match(reason, "Property '([^']*)' not found");
            throw new FeatureDefinitionException("yaml", unknown.Success
                ? $"Line {exception.Start.Line}, column {exception.Start.Column}: unknown key '{unknown.Groups[1].Value}'."
                : $"Line {exception.Start.Line}, column {exception.Start.Column}: {reason}");
        }
    }

    public sealed class FeatureDocument
    {
        public string? Name { get; set; }
        public string? Type { get; set; }
        public string? Expression { get; set; }
        public string? Description { get; set; }
    }

    public sealed class LabelDocument
    {
        public string? Name { get; set; }
        public string? Expression { get; set; }
        public string? Source { get; set; }
        public string? Entity { get; set; }
        public string? Timestamp { get; set; }
    }

    public sealed class QualityDocument
    {
        public double? MaxNullRate { get; set; }
        public List<RuleDocument>? Rules { get; set; }
    }

    public sealed class RuleDocument
    {
        public string? Column { get; set; }
        public double? MaxNullRate { get; set; }
        public double? Min { get; set; }
        public double? Max { get; set; }
        public List<string>? Allowed { get; set; }
        public bool? Unique { get; set; }
    }
}
