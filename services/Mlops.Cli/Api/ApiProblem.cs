using System.Text.Json;

namespace Mlops.Cli.Api;

/// <summary>The parts of an RFC 9457 problem the CLI shows: detail, the field at fault, the permission missing.</summary>
public sealed record ApiProblem(string? Title, string? Detail, string? Field, string? Permission, string? Catalog)
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
                Text(root, "catalog"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
