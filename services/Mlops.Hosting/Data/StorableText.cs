using System.Text;

namespace Mlops.Hosting.Data;

/// <summary>
/// Text PostgreSQL can always store: its text and jsonb types refuse U+0000, and a string with a lone UTF-16 surrogate
/// cannot be encoded as UTF-8 at all. For descriptive columns (reasons, copies of bad input kept for operators), where
/// refusing the row would lose the very thing worth looking at: U+0000 and each lone surrogate are written as visible
/// <c>\uXXXX</c> escapes, so what was refused can still be read. Everything else is kept as it is.
/// </summary>
public static class StorableText
{
    public static string Of(string text)
    {
        if (IsStorable(text))
            return text;

        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                builder.Append(c).Append(text[++i]);
            else if (c == '\0' || char.IsSurrogate(c))
                builder.Append($"\\u{(int)c:x4}");
            else
                builder.Append(c);
        }
        return builder.ToString();
    }

    public static string? OfNullable(string? text) => text is null ? null : Of(text);

    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
                return false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return false;
        }
        return true;
    }
}
