namespace Mlops.BatchScoring.Tests;

/// <summary>The platform with a batch schedule for dev.ml.batch every three seconds (six fields: seconds first).</summary>
public sealed class ScheduledFixture : BatchScoringFixture
{
    public const string Schedule = "*/3 * * * * *";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["BatchScoring:Schedules:0:Model"] = Model;
        settings["BatchScoring:Schedules:0:Schedule"] = Schedule;
    }
}
