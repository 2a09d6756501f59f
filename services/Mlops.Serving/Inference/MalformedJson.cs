using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mlops.Serving.Inference;

/// <summary>
/// Names the column when a request is malformed only because it carries NaN or Infinity, which many clients write for missing
/// or overflowing numbers but JSON cannot carry: the caller learns which value to send as null instead.
/// </summary>
public static partial class MalformedJson
{
    [GeneratedRegex("\"([^\"\\\\]{1,128})\"\\s*:\\s*\\[?[^\"]*$", RegexOptions.RightToLeft)]
    private static partial Regex LastPropertyName();

    [GeneratedRegex("^-?(NaN|Infinity)")]
    private static partial Regex NonFiniteLiteral();

    public static string? Explain(byte[] body, JsonException exception)
    {
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
