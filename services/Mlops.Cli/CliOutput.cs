using System.Text.Json;
using Mlops.Cli.Api;

namespace Mlops.Cli;

/// <summary>
/// What a command prints: with --json, the API's answer as JSON on stdout (for scripts); else lines for people. Errors go to
/// stderr either way, as one "mlops: ..." line.
/// </summary>
public sealed class CliOutput(bool json)
{
    private static readonly JsonSerializerOptions Indented = new(ApiClient.Json) { WriteIndented = true };

    public bool Json { get; } = json;

    /// <summary>Prints <paramref name="value"/> as JSON with --json, else runs <paramref name="human"/>; returns exit code 0.</summary>
    public int Write<T>(T value, Action<T> human)
    {
        if (Json)
            Console.WriteLine(JsonSerializer.Serialize(value, Indented));
        else
            human(value);
        return 0;
    }

    public static void Line(string text) => Console.WriteLine(text);

    /// <summary>One line on stderr (scripts read it; an exception message may span lines), exit code 1.</summary>
    public int Fail(string message)
    {
        Console.Error.WriteLine($"mlops: {message.ReplaceLineEndings(" ").Trim()}");
        return 1;
    }
}
