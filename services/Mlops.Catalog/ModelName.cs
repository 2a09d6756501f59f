using Mlops.Hosting.Data;

namespace Mlops.Catalog;

/// <summary>
/// A model's full name, <c>catalog.schema.model</c>, each part a lower-case identifier. The catalog is the
/// environment (dev, staging, prod), as in Unity Catalog.
/// </summary>
public sealed record ModelName(string Catalog, string Schema, string Model)
{
    public static readonly IReadOnlySet<string> Environments = new HashSet<string> { "dev", "staging", "prod" };

    public string FullName => $"{Catalog}.{Schema}.{Model}";

    public override string ToString() => FullName;

    public static bool TryParse(string? value, out ModelName? name, out string error)
    {
        name = null;
        var parts = (value ?? "").Split('.');
        if (parts.Length != 3)
        {
            error = $"'{value}' is not a model name: expected catalog.schema.model, e.g. dev.ml.churn.";
            return false;
        }

        foreach (var part in parts)
        {
            if (!SqlIdentifier.IsValid(part))
            {
                error = $"'{value}' is not a model name: '{part}' must be 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores, not starting with a digit.";
                return false;
            }
        }

        if (!Environments.Contains(parts[0]))
        {
            error = $"'{value}' is not a model name: its catalog '{parts[0]}' must be an environment (dev, staging or prod).";
            return false;
        }

        name = new ModelName(parts[0], parts[1], parts[2]);
        error = "";
        return true;
    }

    public static ModelName Parse(string? value) =>
        TryParse(value, out var name, out var error) ? name! : throw new ArgumentException(error);

    /// <summary>Parses and checks that the name lives in the catalog of <paramref name="environment"/>.</summary>
    public static ModelName Parse(string? value, string? environment)
    {
        var name = Parse(value);
        if (!string.Equals(name.Catalog, environment, StringComparison.Ordinal))
            throw new ArgumentException($"Model {name} lives in catalog '{name.Catalog}', not in environment '{environment}'.");
        return name;
    }
}
