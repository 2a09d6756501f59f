namespace Mlops.Catalog.Registry;

/// <summary>A compare-and-swap on an alias lost: the alias no longer points where the caller saw it.</summary>
public sealed class AliasConflictException(string modelName, string alias, int? expected, int? actual)
    : Exception($"Alias {alias} of {modelName} points to {Describe(actual)}, not {Describe(expected)} as expected; nothing was changed.")
{
    public string ModelName { get; } = modelName;
    public string Alias { get; } = alias;
    public int? Expected { get; } = expected;
    public int? Actual { get; } = actual;

    private static string Describe(int? version) => version is { } v ? $"version {v}" : "no version";
}
