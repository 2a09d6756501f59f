using System.Text.Json;

namespace Mlops.Cli.Api;

/// <summary>
/// The parts of an RFC 9457 problem the CLI shows: detail, the field at fault, the permission missing, and the problems of a
/// refused file (each "line N, column C: reason").
/// </summary>
public sealed record ApiProblem(string? Title, string? Detail, string? Field, string? Permission, string? Catalog, IReadOnlyList<string>? Problems = null)
{
    public static ApiProblem? Parse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            return new ApiProblem(Text(root, "title"), Text(root, "detail") ?? Text(root, "title"), Text(root, "field"), Text(root, "permission"),
                Text(root, "catalog"), FileProblems(root));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<string>? FileProblems(JsonElement root) =>
        root.TryGetProperty("problems", out var problems) && problems.ValueKind == JsonValueKind.Array
            ? problems.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object)
                .Select(p => $"line {(p.TryGetProperty("line", out var line) ? line.ToString() : "?")}" +
                             (Text(p, "column") is { } column ? $", column {column}" : "") + $": {Text(p, "message")}")
                .ToList()
            : null;

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
