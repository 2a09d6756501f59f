using System.CommandLine;
using Mlops.Catalog;

namespace Mlops.Cli;

/// <summary>Options several commands share, and their parsing with messages an operator can act on.</summary>
public static class CliOptions
{
    /// <summary>On every command (recursive): machine-readable output on stdout.</summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the result as JSON (errors still go to stderr with a non-zero exit code)",
        Recursive = true,
    };

    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "The model's full name, catalog.schema.model (e.g. dev.ml.churn)",
        Required = true,
    };

    public static Option<string[]> KeyValues(string name, string description) => new(name)
    {
        Description = description + " (key=value, repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static ModelName ParseModel(string value) => ModelName.Parse(value);

    /// <summary>A path segment or query value as the API expects it.</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);

    public static Dictionary<string, string> ParsePairs(string[]? values, string option)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var separator = value.IndexOf('=');
            if (separator <= 0)
                throw new ArgumentException($"{option} '{value}' is not key=value.");
            pairs[value[..separator].Trim()] = value[(separator + 1)..].Trim();
        }
        return pairs;
    }

    /// <summary>A query string from the values that are set.</summary>
    public static string Query(params (string Name, object? Value)[] values)
    {
        var parts = values.Where(v => v.Value is not null)
            .Select(v => $"{v.Name}={Escape(v.Value is DateTimeOffset at ? at.ToString("O") : Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture)!)}");
        var query = string.Join('&', parts);
        return query.Length == 0 ? "" : "?" + query;
    }
}
