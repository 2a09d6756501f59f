using System.Text.RegularExpressions;

namespace Mlops.Hosting.Data;

/// <summary>
/// Names a user can choose (catalogs, schemas, tables, features) reach SQL only through here: validated against a
/// strict pattern, then quoted. Nothing else is ever concatenated into a statement.
/// </summary>
public static partial class SqlIdentifier
{
    public const int MaxLength = 63;

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && Pattern().IsMatch(name);

    public static string Validate(string? name, string what = "identifier")
    {
        if (!IsValid(name))
            throw new ArgumentException(
                $"'{name}' is not a valid {what}: use 1 to {MaxLength} lower-case letters, digits and underscores, not starting with a digit.");
        return name!;
    }

    /// <summary>Validates and double-quotes one identifier.</summary>
    public static string Quote(string name, string what = "identifier") => "\"" + Validate(name, what) + "\"";

    /// <summary>Validates and quotes a schema-qualified name given as "schema.table".</summary>
    public static string QuoteQualified(string qualifiedName, string what = "table name")
    {
        var parts = qualifiedName.Split('.');
        if (parts.Length != 2)
            throw new ArgumentException($"'{qualifiedName}' is not a valid {what}: expected schema.name.");
        return Quote(parts[0], what) + "." + Quote(parts[1], what);
    }
}
