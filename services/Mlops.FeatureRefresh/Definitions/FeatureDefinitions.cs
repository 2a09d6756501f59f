using Mlops.Catalog.Features;

namespace Mlops.FeatureRefresh.Definitions;

/// <summary>The feature tables this service knows how to compute, by table name.</summary>
public sealed class FeatureDefinitions
{
    private readonly Dictionary<string, IFeatureDefinition> _byName;

    public FeatureDefinitions(IEnumerable<IFeatureDefinition> definitions)
    {
        _byName = new Dictionary<string, IFeatureDefinition>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            definition.Table.Validate();
            if (!_byName.TryAdd(definition.Table.Name, definition))
                throw new InvalidOperationException($"Two feature definitions produce the feature table {definition.Table.Name}.");
        }
    }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public IFeatureDefinition? Find(string name) => _byName.GetValueOrDefault(name);
}
