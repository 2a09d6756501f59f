using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mlops.Serving.Inference;

/// <summary>
/// Names the problem, and the column where it can, when a request body is not JSON we accept: NaN or Infinity (which many
/// clients write for missing or overflowing numbers but JSON cannot carry), a key repeated in one object (System.Text.Json
/// would otherwise keep the last silently), and bytes that are not UTF-8.
/// </summary>
public static partial class MalformedJson
{
    [GeneratedRegex("\"([^\"\\\\]{1,128})\"\\s*:\\s*\\[?[^\"]*$", RegexOptions.RightToLeft)]
    private static partial Regex LastPropertyName();

    [GeneratedRegex("\"([^\"\\\\]{1,128})\"\\s*:\\s*(?:\\[(?:\\s*\"[^\"]*\"\\s*,)*)?\\s*\"[^\"]*$", RegexOptions.RightToLeft)]
    private static partial Regex LastPropertyNameOfString();

    [GeneratedRegex("^-?(NaN|Infinity)")]
    private static partial Regex NonFiniteLiteral();

    [GeneratedRegex("^Duplicate property '(.*)' encountered")]
    private static partial Regex DuplicateProperty();

    public static string? Explain(byte[] body, JsonException exception)
    {
        if (DuplicateProperty().Match(exception.Message) is { Success: true } duplicate)
            return $"The key '{duplicate.Groups[1].Value}' appears more than once in one object; send each key once.";

        if (exception.LineNumber is not { } line || exception.BytePositionInLine is not { } position)
            return null;

        var offset = OffsetOf(body, line, position);
        if (offset < 0 || offset >= body.Length)
            return null;
        // The reader reports -Infinity at the letter after the sign it already consumed.
        if (offset > 0 && body[offset - 1] == (byte)'-')
            offset--;
        var literal = NonFiniteLiteral().Match(Encoding.UTF8.GetString(body, (int)offset, (int)Math.Min(9, body.Length - offset)));
        if (!literal.Success)
            return null;

        var before = Encoding.UTF8.GetString(body, 0, (int)offset);
        var column = LastPropertyName().Match(before) is { Success: true } name ? $"column '{name.Groups[1].Value}'" : "a value";
        return $"{column} is {literal.Value}, which JSON cannot carry and the model cannot score: send a finite number, or null for a missing value.";
    }

    /// <summary>Null when <paramref name="body"/> is valid UTF-8; otherwise where it is not, with the column it belongs to.</summary>
    public static string? ExplainInvalidUtf8(byte[] body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
            return null;
        var offset = 0;
        while (Rune.DecodeFromUtf8(body.AsSpan(offset), out _, out var consumed) == System.Buffers.OperationStatus.Done)
            offset += consumed;
        var before = Encoding.UTF8.GetString(body, 0, offset);
        var column = LastPropertyNameOfString().Match(before) is { Success: true } name ? $"column '{name.Groups[1].Value}'" : "the body";
        return $"The request body is not valid UTF-8: {column} has the byte 0x{body[offset]:X2} at offset {offset}. Send JSON encoded as UTF-8.";
    }

    private static long OffsetOf(byte[] body, long line, long positionInLine)
    {
        long offset = 0;
        for (var current = 0L; current < line; current++)
        {
            var next = Array.IndexOf(body, (byte)'\n', (int)offset);
            if (next < 0)
                return -1;
            offset = next + 1;
        }
        return offset + positionInLine;
    }
}
