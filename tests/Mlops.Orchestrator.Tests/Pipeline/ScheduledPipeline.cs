using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Scheduling;
using Mlops.Testing;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// Orchestrators on a <see cref="TestClock"/> with one model retrained every minute: its schedule comes due when the
/// test moves the clock, and the schedulers look at it every 100 ms.
/// </summary>
public sealed class ScheduledPipeline : PipelineHosts
{
    public const string EveryMinute = "dev.ml.every_minute";

    /// <summary>Half a minute past the first occurrence the schedule starts from.</summary>
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 30, TimeSpan.Zero);

    public TestClock Clock { get; } = new(Start);

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override IReadOnlyList<PipelineModelOptions> Models => [TestModels.Model(EveryMinute, m => m.Schedule = "* * * * *")];

    protected override Dictionary<string, string?> OrchestratorSettings()
    {
        var settings = base.OrchestratorSettings();
        settings["Pipeline:ScheduleCheckInterval"] = "00:00:00.100";
        return settings;
    }

    protected override void ConfigureOrchestrator(WebApplicationBuilder builder) => builder.Services.AddSingleton<TimeProvider>(Clock);

    /// <summary>The occurrence the schedule last fired for (or started from), once a scheduler has looked at it.</summary>
    public Task<DateTime?> LastOccurrenceAsync() =>
        Eventually.WaitAsync(
            () => Database.ScalarAsync<DateTime?>("SELECT last_occurrence FROM pipeline.schedules WHERE model_name = @model", new { model = EveryMinute }),
            found => found is not null, $"the schedule of {EveryMinute} in pipeline.schedules");

    /// <summary>Has every running orchestrator's scheduler look at the schedules once, as its loop does; returns what they fired.</summary>
    public async Task<IReadOnlyList<PipelineScheduleDue>> LookAgainAsync()
    {
        var fired = await Task.WhenAll(Orchestrators.Select(o => o.Services.GetRequiredService<RetrainingScheduler>().FireDueAsync(CancellationToken.None)));
        return fired.SelectMany(f => f).ToList();
    }

    /// <summary>How many PipelineScheduleDue the schedulers published (their outbox rows, delivered or not).</summary>
    public Task<long> PublishedAsync() =>
        Database.ScalarAsync<long>($"SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%{nameof(PipelineScheduleDue)}%'");

    public async Task<IReadOnlyList<TriggerRow>> ScheduleTriggersAsync() =>
        (await TriggersOfAsync(EveryMinute)).Where(t => t.Kind == "schedule").ToList();
}
