using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace Mlops.BatchScoring.Scheduling;

/// <summary>
/// A batch schedule's cron expression, through Cronos, in UTC: five fields (minute hour day-of-month month day-of-week, as the
/// orchestrator's schedules), or six with seconds first. An expression that never occurs is refused like a malformed one.
/// </summary>
public sealed class BatchSchedule
{
    private readonly CronExpression _expression;

    private BatchSchedule(string text, CronExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    public string Text { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out BatchSchedule? schedule, out string problem)
    {
        schedule = null;
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            problem = "the schedule is empty.";
            return false;
        }
        var format = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            var expression = CronExpression.Parse(trimmed, format);
            if (expression.GetNextOccurrence(DateTime.UtcNow) is null)
            {
                problem = $"'{trimmed}' never occurs.";
                return false;
            }
            schedule = new BatchSchedule(trimmed, expression);
            problem = "";
            return true;
        }
        catch (CronFormatException exception)
        {
            problem = $"'{trimmed}' is not a cron expression: {exception.Message}";
            return false;
        }
    }

    public static BatchSchedule Parse(string text) =>
        TryParse(text, out var schedule, out var problem) ? schedule : throw new FormatException(problem);

    /// <summary>The next occurrence strictly after <paramref name="instant"/>.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant) =>
        _expression.GetNextOccurrence(instant.UtcDateTime, inclusive: false) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>The latest occurrence after <paramref name="since"/> and at or before <paramref name="now"/>, if any: missed ones fold into it.</summary>
    public DateTimeOffset? LatestDue(DateTimeOffset since, DateTimeOffset now)
    {
        DateTimeOffset? latest = null;
        for (var next = NextAfter(since); next is { } occurrence && occurrence <= now; next = NextAfter(occurrence))
            latest = occurrence;
        return latest;
    }

    public override string ToString() => Text;
}
