using Mlops.Orchestrator.Scheduling;
using Xunit;

namespace Mlops.Orchestrator.Tests.Scheduling;

public sealed class When_a_cron_expression_is_invalid
{
    [Theory]
    [InlineData("* * * *", "'* * * *' is not a cron expression: expected five fields, minute hour day-of-month month day-of-week, found 4.")]
    [InlineData("0 0 3 * * *", "'0 0 3 * * *' is not a cron expression: expected five fields, minute hour day-of-month month day-of-week, found 6.")]
    [InlineData("60 * * * *", "'60 * * * *' is not a cron expression: minute 60 is out of range 0-59.")]
    [InlineData("0 24 * * *", "'0 24 * * *' is not a cron expression: hour 24 is out of range 0-23.")]
    [InlineData("0 0 0 * *", "'0 0 0 * *' is not a cron expression: day-of-month 0 is out of range 1-31.")]
    [InlineData("0 0 * 13 *", "'0 0 * 13 *' is not a cron expression: month 13 is out of range 1-12.")]
    [InlineData("0 0 * * 8", "'0 0 * * 8' is not a cron expression: day-of-week 8 is out of range 0-7.")]
    [InlineData("*/0 * * * *", "'*/0 * * * *' is not a cron expression: the step '0' in the minute item '*/0' is not a whole number of at least 1.")]
    [InlineData("*/x * * * *", "'*/x * * * *' is not a cron expression: the step 'x' in the minute item '*/x' is not a whole number of at least 1.")]
    [InlineData("*/5/2 * * * *", "'*/5/2 * * * *' is not a cron expression: the minute item '*/5/2' has more than one step.")]
    [InlineData("0 17-9 * * *", "'0 17-9 * * *' is not a cron expression: the hour range 17-9 runs backwards.")]
    [InlineData("1-2-3 * * * *", "'1-2-3 * * * *' is not a cron expression: the minute item '1-2-3' is not a number, a range a-b or *.")]
    [InlineData("-1 * * * *", "'-1 * * * *' is not a cron expression: the minute item '-1' is not a number, a range a-b or *.")]
    [InlineData("+5 * * * *", "'+5 * * * *' is not a cron expression: '+5' in the minute field is not a number.")]
    [InlineData("1,,2 * * * *", "'1,,2 * * * *' is not a cron expression: the minute field '1,,2' has an empty list item.")]
    [InlineData("0 0 L * *", "'0 0 L * *' is not a cron expression: 'L' in the day-of-month field is not a number.")]
    [InlineData("0 0 ? * *", "'0 0 ? * *' is not a cron expression: '?' in the day-of-month field is not a number.")]
    [InlineData("0 0 * FOO *", "'0 0 * FOO *' is not a cron expression: 'FOO' in the month field is not a number or a name (JAN-DEC).")]
    [InlineData("0 0 * * MON#2", "'0 0 * * MON#2' is not a cron expression: 'MON#2' in the day-of-week field is not a number or a name (SUN-SAT).")]
    [InlineData("0 0 30 2 *", "'0 0 30 2 *' is not a cron expression: day-of-month 30 never falls in month 2, so it never occurs.")]
    [InlineData("0 0 31 4,6,9,11 *", "'0 0 31 4,6,9,11 *' is not a cron expression: day-of-month 31 never falls in month 4,6,9,11, so it never occurs.")]
    [InlineData("@reboot", "'@reboot' is not a cron expression: @reboot is not a known macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly).")]
    [InlineData(" ", "An empty cron expression: expected five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * *'.")]
    public void Parsing_fails_with_what_is_wrong_and_where(string expression, string error)
    {
        Assert.False(CronExpression.TryParse(expression, out var parsed, out var problem));
        Assert.Null(parsed);
        Assert.Equal(error, problem);
        Assert.Equal(error, Assert.Throws<FormatException>(() => CronExpression.Parse(expression)).Message);
    }

    [Fact]
    public void A_day_only_some_months_have_is_fine_when_a_month_has_it() =>
        Assert.Equal(new DateTimeOffset(2025, 3, 30, 0, 0, 0, TimeSpan.Zero),
            CronExpression.Parse("0 0 30 2,3 *").NextAfter(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
}
