using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Mlops.Hosting.Messaging;

/// <summary>
/// Delayed redelivery after the immediate retries: the message is sent back to its queue through the outbox, due after
/// each interval in turn. A transient failure keeps coming back at the last interval for ever; any other failure is
/// dead-lettered after the last one.
/// </summary>
public sealed class RedeliveryOptions : IValidatableObject
{
    /// <summary>Comma-separated intervals (a string, because configuration binding appends to array defaults instead of replacing them).</summary>
    public string Intervals { get; set; } = "00:00:05, 00:00:30, 00:02:00, 00:10:00";

    /// <summary>How long a message is held before it is handed back to RabbitMQ when even its redelivery row cannot be written.</summary>
    public TimeSpan HoldWhenDatabaseDown { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<TimeSpan> ParsedIntervals() =>
        Intervals.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(x => TimeSpan.Parse(x, CultureInfo.InvariantCulture)).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        IReadOnlyList<TimeSpan> intervals;
        try
        {
            intervals = ParsedIntervals();
        }
        catch (FormatException)
        {
            intervals = [];
        }
        if (intervals.Count == 0 || intervals.Any(x => x <= TimeSpan.Zero))
            yield return new ValidationResult(
                $"Messaging:Redelivery:Intervals '{Intervals}' must be one or more positive durations separated by commas, e.g. 00:00:05, 00:00:30.",
                [nameof(Intervals)]);
    }
}
