using Microsoft.Extensions.Options;
using Mlops.BatchScoring.Scheduling;
using Mlops.Catalog;

namespace Mlops.BatchScoring;

/// <summary>Refuses a start-up with a model name or a cron expression that cannot work, naming its key.</summary>
public sealed class BatchScoringOptionsValidator : IValidateOptions<BatchScoringOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchScoringOptions options)
    {
        var failures = new List<string>();
        if (options.ScheduleCheckInterval <= TimeSpan.Zero)
            failures.Add("BatchScoring:ScheduleCheckInterval must be positive.");
        if (options.FaultInjectionChunkDelay < TimeSpan.Zero)
            failures.Add("BatchScoring:FaultInjectionChunkDelay cannot be negative (zero, the default, turns it off).");
        for (var i = 0; i < options.Schedules.Count; i++)
        {
            var schedule = options.Schedules[i];
            if (!ModelName.TryParse(schedule.Model, out _, out var error))
                failures.Add($"BatchScoring:Schedules:{i}:Model: {error}");
            if (!BatchSchedule.TryParse(schedule.Schedule, out _, out var problem))
                failures.Add($"BatchScoring:Schedules:{i}:Schedule: {problem}");
        }
        foreach (var duplicate in options.Schedules.GroupBy(s => s.Model).Where(g => g.Count() > 1))
            failures.Add($"BatchScoring:Schedules names {duplicate.Key} {duplicate.Count()} times: give a model one schedule.");
        for (var i = 0; i < options.ScoreAfterPromotion.Count; i++)
        {
            if (!ModelName.TryParse(options.ScoreAfterPromotion[i], out _, out var error))
                failures.Add($"BatchScoring:ScoreAfterPromotion:{i}: {error}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
