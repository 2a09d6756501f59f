using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Hosting.Data;

namespace Mlops.Catalog.Raw;

/// <summary>
/// Turns the text of one landed value into the CLR value binary COPY writes for its column type, refusing (with the reason)
/// every value PostgreSQL would refuse, and NaN or infinities in double precision and numeric (docs/data.md says why).
/// </summary>
public static partial class RawValues
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    private static readonly HashSet<string> True = new(["true", "t", "yes", "y", "on", "1"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> False = new(["false", "f", "no", "n", "off", "0"], StringComparer.OrdinalIgnoreCase);

    public static bool TryParse(RawColumnType type, string text, out object? value, out string? error)
    {
        value = null;
        error = null;
        if (type == RawColumnType.Text)
        {
            if (!StorableText.IsStorable(text))
                error = "text holds a NUL character or an unpaired surrogate, which PostgreSQL cannot store.";
            else
                value = text;
            return error is null;
        }

        var trimmed = text.Trim();
        if (type == RawColumnType.Bigint)
        {
            if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                value = number;
            else
                error = WholeNumber().IsMatch(trimmed) ? $"'{Shown(text)}' is out of range for bigint." : $"'{Shown(text)}' is not a whole number (bigint).";
        }
        else if (type == RawColumnType.Integer)
        {
            if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                value = number;
            else
                error = WholeNumber().IsMatch(trimmed) ? $"'{Shown(text)}' is out of range for integer." : $"'{Shown(text)}' is not a whole number (integer).";
        }
        else if (type == RawColumnType.Double)
        {
            if (!DecimalNumber().IsMatch(trimmed))
                error = NotFinite().IsMatch(trimmed)
                    ? $"'{Shown(text)}' is refused: NaN and infinities are not landed in double precision."
                    : $"'{Shown(text)}' is not a number (double precision).";
            else if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number)
                     || (number == 0 && NonZeroMantissa().IsMatch(trimmed)))
                error = $"'{Shown(text)}' is out of range for double precision.";
            else
                value = number;
        }
        else if (type == RawColumnType.Numeric)
        {
            if (!DecimalNumber().IsMatch(trimmed))
                error = NotFinite().IsMatch(trimmed)
                    ? $"'{Shown(text)}' is refused: NaN and infinities are not landed in numeric."
                    : $"'{Shown(text)}' is not a number (numeric).";
            else if (!decimal.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                error = $"'{Shown(text)}' is out of the range landed for numeric (28 significant digits, magnitude below 7.9e28).";
            else
                value = number;
        }
        else if (type == RawColumnType.Boolean)
        {
            if (True.Contains(trimmed))
                value = true;
            else if (False.Contains(trimmed))
                value = false;
            else
                error = $"'{Shown(text)}' is not a boolean: use true/false, t/f, yes/no, y/n, on/off or 1/0.";
        }
        else if (type == RawColumnType.Timestamptz)
        {
            if (DateTimeOffset.TryParseExact(trimmed, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                value = time.UtcDateTime;
            else
                error = $"'{Shown(text)}' is not a timestamp: use ISO 8601, e.g. 2024-05-01T13:45:00Z (no offset means UTC).";
        }
        else if (type == RawColumnType.Date)
        {
            if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                value = date;
            else
                error = $"'{Shown(text)}' is not a date: use ISO 8601, e.g. 2024-05-01.";
        }
        else
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not a raw column type.");
        return error is null;
    }

    /// <summary>The value as a problem quotes it: short, and storable even when the value is not.</summary>
    private static string Shown(string text) => StorableText.Of(text.Length > 40 ? text[..40] + "…" : text);

    [GeneratedRegex(@"^[+-]?[0-9]+\z")]
    private static partial Regex WholeNumber();

    [GeneratedRegex(@"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\z")]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"^[+-]?(nan|inf|infinity|∞)\z", RegexOptions.IgnoreCase)]
    private static partial Regex NotFinite();

    [GeneratedRegex(@"^[+-]?0*\.?0*[1-9]")]
    private static partial Regex NonZeroMantissa();
}
