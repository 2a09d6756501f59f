using Mlops.Orchestrator.Scheduling;
using Xunit;

namespace Mlops.Orchestrator.Tests.Scheduling;

public sealed class When_the_next_occurrence_is_computed
{
    // 2025-06-01 is a Sunday.
    [Theory]
    [InlineData("* * * * *", "2025-06-01T12:00:00Z", "2025-06-01T12:01:00Z")]
    [InlineData("* * * * *", "2025-06-01T12:00:30Z", "2025-06-01T12:01:00Z")]
    [InlineData("0 3 * * *", "2025-06-01T02:59:59Z", "2025-06-01T03:00:00Z")]
    [InlineData("0 3 * * *", "2025-06-01T03:00:00Z", "2025-06-02T03:00:00Z")]
    [InlineData("0 3 * * *", "2025-06-01T05:00:00+02:00", "2025-06-02T03:00:00Z")]
    [InlineData("*/15 * * * *", "2025-06-01T12:07:00Z", "2025-06-01T12:15:00Z")]
    [InlineData("*/15 * * * *", "2025-06-01T12:45:00Z", "2025-06-01T13:00:00Z")]
    [InlineData("5/15 * * * *", "2025-06-01T12:51:00Z", "2025-06-01T13:05:00Z")]
    [InlineData("0 9-17/4 * * *", "2025-06-01T10:00:00Z", "2025-06-01T13:00:00Z")]
    [InlineData("0 9-17/4 * * *", "2025-06-01T17:00:00Z", "2025-06-02T09:00:00Z")]
    [InlineData("15,45 8,20 * * *", "2025-06-01T08:45:00Z", "2025-06-01T20:15:00Z")]
    [InlineData("30 2 1 * *", "2025-06-01T03:00:00Z", "2025-07-01T02:30:00Z")]
    [InlineData("0 0 31 * *", "2025-04-01T00:00:00Z", "2025-05-31T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2025-01-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("59 23 31 12 *", "2025-12-31T23:59:00Z", "2026-12-31T23:59:00Z")]
    [InlineData("0 12 * JAN,jul *", "2025-06-01T00:00:00Z", "2025-07-01T12:00:00Z")]
    [InlineData("0 0 * * 0", "2025-06-02T00:00:00Z", "2025-06-08T00:00:00Z")]
    [InlineData("0 0 * * 7", "2025-06-02T00:00:00Z", "2025-06-08T00:00:00Z")]
    [InlineData("0 0 * * 5-7", "2025-06-01T00:00:00Z", "2025-06-06T00:00:00Z")]
    [InlineData("0 0 * * MON-FRI", "2025-06-06T12:00:00Z", "2025-06-09T00:00:00Z")]
    // Both day fields restricted: the 13th OR a Friday.
    [InlineData("0 0 13 * 5", "2025-07-12T00:00:00Z", "2025-07-13T00:00:00Z")]
    [InlineData("0 0 13 * 5", "2025-07-13T00:00:00Z", "2025-07-18T00:00:00Z")]
    [InlineData("0 0 30 2 1", "2025-01-01T00:00:00Z", "2025-02-03T00:00:00Z")]
    // A day field that starts with * counts as unrestricted: an odd day AND a Monday.
    [InlineData("0 0 */2 * 1", "2025-06-01T00:00:00Z", "2025-06-09T00:00:00Z")]
    [InlineData("@hourly", "2025-06-01T12:00:01Z", "2025-06-01T13:00:00Z")]
    [InlineData("@daily", "2025-06-01T12:00:00Z", "2025-06-02T00:00:00Z")]
    [InlineData("@midnight", "2025-06-01T12:00:00Z", "2025-06-02T00:00:00Z")]
    [InlineData("@weekly", "2025-06-02T00:00:00Z", "2025-06-08T00:00:00Z")]
    [InlineData("@monthly", "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z")]
    [InlineData("@yearly", "2025-06-01T00:00:00Z", "2026-01-01T00:00:00Z")]
    [InlineData("  0   3 * * *  ", "2025-06-01T00:00:00Z", "2025-06-01T03:00:00Z")]
    public void It_is_the_first_matching_minute_strictly_after_the_instant(string expression, string instant, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected), CronExpression.Parse(expression).NextAfter(DateTimeOffset.Parse(instant)));

    [Theory]
    [InlineData("* * * * *", "2025-06-01T12:00:30Z", "2025-06-01T12:00:00Z")]
    [InlineData("0 3 * * *", "2025-06-01T03:00:00Z", "2025-06-01T03:00:00Z")]
    [InlineData("0 3 * * *", "2025-06-01T03:00:59Z", "2025-06-01T03:00:00Z")]
    [InlineData("0 3 * * *", "2025-06-01T02:59:59Z", "2025-05-31T03:00:00Z")]
    [InlineData("*/15 * * * *", "2025-06-01T13:14:00Z", "2025-06-01T13:00:00Z")]
    [InlineData("30 2 1 * *", "2025-06-01T02:29:00Z", "2025-05-01T02:30:00Z")]
    [InlineData("0 0 29 2 *", "2025-06-01T00:00:00Z", "2024-02-29T00:00:00Z")]
    [InlineData("0 0 1 1 *", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("0 0 1 1 *", "2024-12-31T23:59:00Z", "2024-01-01T00:00:00Z")]
    [InlineData("0 0 * * MON-FRI", "2025-06-08T12:00:00Z", "2025-06-06T00:00:00Z")]
    [InlineData("0 0 13 * 5", "2025-07-17T00:00:00Z", "2025-07-13T00:00:00Z")]
    public void The_latest_is_the_last_matching_minute_at_or_before_the_instant(string expression, string instant, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected), CronExpression.Parse(expression).LatestAtOrBefore(DateTimeOffset.Parse(instant)));

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("*/7 * * * *")]
    [InlineData("0 3 * * *")]
    [InlineData("10-20/3 1,13 * * *")]
    [InlineData("0 */6 * * 1-5")]
    [InlineData("0 0 13 * 5")]
    [InlineData("0 0 */2 * 1")]
    [InlineData("45 23 28-31 * *")]
    public void Stepping_from_occurrence_to_occurrence_meets_every_matching_minute_and_no_other(string expression)
    {
        // Two months around a leap day and several month ends, minute by minute.
        var cron = CronExpression.Parse(expression);
        var from = new DateTimeOffset(2024, 2, 20, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2024, 4, 20, 0, 0, 0, TimeSpan.Zero);
        var matching = new List<DateTimeOffset>();
        for (var minute = from; minute < to; minute = minute.AddMinutes(1))
        {
            if (cron.Matches(minute))
                matching.Add(minute);
        }

        var stepped = new List<DateTimeOffset>();
        for (var occurrence = cron.NextAfter(from.AddTicks(-1)); occurrence < to; occurrence = cron.NextAfter(occurrence))
            stepped.Add(occurrence);

        Assert.NotEmpty(matching);
        Assert.Equal(matching, stepped);
        for (var i = 1; i < matching.Count; i += Math.Max(1, matching.Count / 50))
        {
            var between = matching[i - 1] + (matching[i] - matching[i - 1]) / 2;
            Assert.Equal((matching[i - 1], matching[i]), (cron.LatestAtOrBefore(between), cron.NextAfter(between)));
        }
    }
}
