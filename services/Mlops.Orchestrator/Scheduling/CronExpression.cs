using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;

namespace Mlops.Orchestrator.Scheduling;

/// <summary>
/// A standard five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC. Each field takes
/// <c>*</c>, a number, a range <c>a-b</c>, a step <c>*/n</c>, <c>a-b/n</c> or <c>a/n</c> (from a to the field's end), and
/// comma-separated lists of these; months and days of the week also take names (JAN-DEC, SUN-SAT), and day-of-week 7 is
/// Sunday like 0. As in Vixie cron, when both day fields are restricted a day matches if EITHER matches, and a day field
/// that starts with <c>*</c> (<c>*/2</c> too) counts as unrestricted. The macros @yearly, @annually, @monthly, @weekly,
/// @daily, @midnight and @hourly stand for their usual expressions.
/// </summary>
public sealed class CronExpression
{
    // A valid expression occurs at least every 40 years (29 February on a given weekday); the searches stop well beyond that.
    private const int SearchYears = 100;

    private static readonly CronField Minute = new("minute", 0, 59);
    private static readonly CronField Hour = new("hour", 0, 23);
    private static readonly CronField DayOfMonth = new("day-of-month", 1, 31);
    private static readonly CronField Month = new("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]);
    private static readonly CronField DayOfWeek = new("day-of-week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]);

    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private static readonly int[] LongestMonths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _daysOfMonth;
    private readonly ulong _months;
    private readonly ulong _daysOfWeek;

    // Either day field unrestricted: a day must match both (the unrestricted one always does). Both restricted: either.
    private readonly bool _eitherDayMatches;

    private readonly string _text;

    private CronExpression(string text, ulong minutes, ulong hours, ulong daysOfMonth, ulong months, ulong daysOfWeek, bool eitherDayMatches)
    {
        _text = text;
        _minutes = minutes;
        _hours = hours;
        _daysOfMonth = daysOfMonth;
        _months = months;
        _daysOfWeek = daysOfWeek;
        _eitherDayMatches = eitherDayMatches;
    }

    /// <summary>Parses <paramref name="text"/>, or throws a <see cref="FormatException"/> that says what is wrong and where.</summary>
    public static CronExpression Parse(string text) =>
        TryParse(text, out var expression, out var error) ? expression : throw new FormatException(error);

    public static bool TryParse(string? text, [NotNullWhen(true)] out CronExpression? expression, out string error)
    {
        expression = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "An empty cron expression: expected five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * *'.";
            return false;
        }

        var trimmed = text.Trim();
        var fields = (Macros.TryGetValue(trimmed, out var expanded) ? expanded : trimmed)
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = trimmed.StartsWith('@')
                ? $"'{trimmed}' is not a cron expression: {trimmed} is not a known macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)."
                : $"'{trimmed}' is not a cron expression: expected five fields, minute hour day-of-month month day-of-week, found {fields.Length}.";
            return false;
        }

        string? problem = null;
        var minutes = Minute.Parse(fields[0], ref problem);
        var hours = Hour.Parse(fields[1], ref problem);
        var daysOfMonth = DayOfMonth.Parse(fields[2], ref problem);
        var months = Month.Parse(fields[3], ref problem);
        var daysOfWeek = DayOfWeek.Parse(fields[4], ref problem);
        var eitherDayMatches = !fields[2].StartsWith('*') && !fields[4].StartsWith('*');
        if (problem is null && !eitherDayMatches && !OccursInSomeMonth(daysOfMonth, months))
            problem = $"day-of-month {fields[2]} never falls in month {fields[3]}, so it never occurs";

        if (problem is not null)
        {
            error = $"'{trimmed}' is not a cron expression: {problem}.";
            return false;
        }

        // Sunday is 0 and 7.
        if ((daysOfWeek & (1UL << 7)) != 0)
            daysOfWeek = (daysOfWeek | 1UL) & ~(1UL << 7);

        expression = new CronExpression(trimmed, minutes, hours, daysOfMonth, months, daysOfWeek, eitherDayMatches);
        error = "";
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="instant"/>, in UTC.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset instant)
    {
        var t = StartOfMinute(instant).AddMinutes(1);
        var limit = t.AddYears(SearchYears);
        while (t <= limit)
        {
            if (!Has(_months, t.Month))
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
            else if (!DayMatches(t))
                t = t.Date.AddDays(1);
            else if (!Has(_hours, t.Hour))
                t = t.Date.AddHours(t.Hour + 1);
            else if (!Has(_minutes, t.Minute))
                t = t.AddMinutes(1);
            else
                return new DateTimeOffset(t, TimeSpan.Zero);
        }
        throw new InvalidOperationException($"'{_text}' does not occur within {SearchYears} years after {instant:u}.");
    }

    /// <summary>The latest occurrence at or before <paramref name="instant"/> (the minute it falls in counts), in UTC.</summary>
    public DateTimeOffset LatestAtOrBefore(DateTimeOffset instant)
    {
        var t = StartOfMinute(instant);
        var limit = t.AddYears(-SearchYears);
        while (t >= limit)
        {
            if (!Has(_months, t.Month))
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(-1);
            else if (!DayMatches(t))
                t = t.Date.AddMinutes(-1);
            else if (!Has(_hours, t.Hour))
                t = t.Date.AddHours(t.Hour).AddMinutes(-1);
            else if (!Has(_minutes, t.Minute))
                t = t.AddMinutes(-1);
            else
                return new DateTimeOffset(t, TimeSpan.Zero);
        }
        throw new InvalidOperationException($"'{_text}' does not occur within {SearchYears} years before {instant:u}.");
    }

    /// <summary>Whether the minute <paramref name="instant"/> falls in is an occurrence.</summary>
    public bool Matches(DateTimeOffset instant)
    {
        var t = StartOfMinute(instant);
        return Has(_months, t.Month) && DayMatches(t) && Has(_hours, t.Hour) && Has(_minutes, t.Minute);
    }

    public override string ToString() => _text;

    private bool DayMatches(DateTime day)
    {
        var dayOfMonth = Has(_daysOfMonth, day.Day);
        var dayOfWeek = Has(_daysOfWeek, (int)day.DayOfWeek);
        return _eitherDayMatches ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
    }

    private static bool Has(ulong set, int value) => (set & (1UL << value)) != 0;

    private static DateTime StartOfMinute(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, DateTimeKind.Utc);
    }

    // A day-of-month only some months have (30 February) could leave nothing to match; the weekdays cycle over the years.
    private static bool OccursInSomeMonth(ulong daysOfMonth, ulong months)
    {
        for (var month = 1; month <= 12; month++)
        {
            if (Has(months, month) && BitOperations.TrailingZeroCount(daysOfMonth) <= LongestMonths[month - 1])
                return true;
        }
        return false;
    }

    /// <summary>One field's name, range and (for months and weekdays) names, and the parsing of its text into a set of values.</summary>
    private sealed class CronField(string name, int min, int max, string[]? names = null)
    {
        /// <summary>The field's values as a bit set; the first problem found goes into <paramref name="problem"/>.</summary>
        public ulong Parse(string text, ref string? problem)
        {
            if (problem is not null)
                return 0;

            var set = 0UL;
            foreach (var item in text.Split(','))
            {
                if (item.Length == 0)
                {
                    problem = $"the {name} field '{text}' has an empty list item";
                    return 0;
                }
                if (ParseItem(item, out var first, out var last, out var step) is { } itemProblem)
                {
                    problem = itemProblem;
                    return 0;
                }
                for (var value = first; value <= last; value += step)
                    set |= 1UL << value;
            }
            return set;
        }

        private string? ParseItem(string item, out int first, out int last, out int step)
        {
            first = min;
            last = max;
            step = 1;
            var parts = item.Split('/');
            if (parts.Length > 2)
                return $"the {name} item '{item}' has more than one step";
            if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, null, out step) || step < 1))
                return $"the step '{parts[1]}' in the {name} item '{item}' is not a whole number of at least 1";

            var range = parts[0];
            if (range == "*")
                return null;

            var bounds = range.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => b.Length == 0))
                return $"the {name} item '{item}' is not a number, a range a-b or *";
            if (Value(bounds[0], out first) is { } firstProblem)
                return firstProblem;
            if (bounds.Length == 1)
            {
                // "a/n" runs from a to the field's end; a lone "a" is just a.
                last = parts.Length == 2 ? max : first;
                return null;
            }
            if (Value(bounds[1], out last) is { } lastProblem)
                return lastProblem;
            return last < first ? $"the {name} range {range} runs backwards" : null;
        }

        private string? Value(string text, out int value)
        {
            if (int.TryParse(text, NumberStyles.None, null, out value))
                return value < min || value > max ? $"{name} {value} is out of range {min}-{max}" : null;

            var index = names is null ? -1 : Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = index + min;
                return null;
            }
            return names is null
                ? $"'{text}' in the {name} field is not a number"
                : $"'{text}' in the {name} field is not a number or a name ({names[0]}-{names[^1]})";
        }
    }
}
