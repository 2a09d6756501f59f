namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// A feature table definition refused at registration: malformed YAML, an unknown key, an expression outside the allowed
/// language, an unknown column, or a type PostgreSQL disagrees with. <see cref="Field"/> names the part at fault.
/// </summary>
public sealed class FeatureDefinitionException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
