using System.CommandLine;
using Mlops.Catalog;

namespace Mlops.Cli;

/// <summary>Options several commands share, and their parsing with messages an operator can act on.</summary>
public static class CliOptions
{
    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "The model's full name, catalog.schema.model (e.g. dev.ml.churn)",
        Required = true,
    };

    public static Option<string> Principal() => new("--principal")
    {
        Description = "Who is acting (defaults to the MLOPS_PRINCIPAL environment variable, then the OS user)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MLOPS_PRINCIPAL") ?? Environment.UserName,
    };

    public static Option<string[]> KeyValues(string name, string description) => new(name)
    {
        Description = description + " (key=value, repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static ModelName ParseModel(string value) => ModelName.Parse(value);

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
}
