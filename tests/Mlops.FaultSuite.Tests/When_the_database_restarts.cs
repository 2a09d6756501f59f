using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// PostgreSQL restarts (pg_ctl restart -m fast: every session cut) as runs move from step to step. No run may stay active
/// past its step deadline plus the sweeper's grace period; each one ends.
/// </summary>
public sealed class When_the_database_restarts(ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);
    // The sweeper's grace period (Pipeline:DeadlineGracePeriod), shortened from its 5 minutes like the step timeouts.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    // Each restart hits a run as it enters one of these transitions, twice over.
    private static readonly string[] Transitions =
        ["RefreshingFeatures", "Training", "CheckingCompliance", "Evaluating", "RefreshingFeatures", "Training", "CheckingCompliance", "Evaluating"];

    [FaultFact]
    public async Task No_run_stays_past_its_deadline_plus_the_grace_period()
    {
        var report = new ScenarioReport("database restart", output);
        var timeout = StepTimeout.ToString();
        await using var platform = await Platform.StartAsync("dbrestart", Platform.Pipeline, new Dictionary<string, string>
        {
            ["Pipeline__StepTimeouts__RefreshingFeatures"] = timeout,
            ["Pipeline__StepTimeouts__Training"] = timeout,
            ["Pipeline__StepTimeouts__CheckingCompliance"] = timeout,
            ["Pipeline__StepTimeouts__Evaluating"] = timeout,
            ["Pipeline__StepTimeouts__Promoting"] = timeout,
            ["Pipeline__DeadlineGracePeriod"] = Grace.ToString(),
            ["Pipeline__SweepInterval"] = "00:00:05",
            // Leased steps slow enough that a restart lands while they work (the training helper's fault injection).
            ["Steps__FaultInjection__ExtraWorkDuration"] = "00:00:02",
        });
        var watch = Stopwatch.StartNew();
        var first = await platform.LandDataAndWaitAsync();
        output.WriteLine($"first run {first}");

        var overdue = new List<string>();
        foreach (var transition in Transitions)
        {
            var runId = await platform.RequestRunAsync();
            var seen = await platform.Runs.WaitStateAsync(runId, transition, TimeSpan.FromSeconds(60));
            await SuiteInfrastructure.RestartPostgresAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();
            var restarted = Stopwatch.StartNew();
            var run = await WaitEndedOrOverdueAsync(platform, runId, overdue);
            report.Recovered(restarted.Elapsed);
            output.WriteLine($"restart at {seen}: run ended {run.State} {run.FailureReason} after {restarted.Elapsed.TotalSeconds:0.0} s");
        }

        var runs = await platform.Runs.AllAsync();
        var active = runs.Where(r => !r.IsFinal).ToList();
        report.Figure("runs", runs.Count);
        report.Figure("restarts", Transitions.Length);
        foreach (var state in PipelineRunProbe.FinalStates)
            report.Figure($"ended_{state.ToLowerInvariant()}", runs.Count(r => r.State == state));
        report.Figure("stuck", active.Count);
        report.Figure("lost", active.Count);
        report.Figure("duplicated", await platform.Runs.DuplicateVersionsAsync() + runs.Count(r => r.Endings > 1));
        report.Figure("redeliveries", await platform.Broker.RedeliveredInVirtualHostAsync(platform.VirtualHost));
        report.Figure("seconds", watch.Elapsed.TotalSeconds);
        report.Expect(overdue.Count == 0, string.Join("; ", overdue));
        report.Expect(active.Count == 0, $"{active.Count} runs still active: {string.Join(", ", active)}");
        report.Expect(runs.All(r => r.Endings <= 1), "a run ended more than once");
        await report.AssertAsync();
    }

    /// <summary>Waits for the run to end; a run still active past its deadline plus the grace period is recorded as overdue.</summary>
    private static async Task<PipelineRunProbe.Run> WaitEndedOrOverdueAsync(Platform platform, Guid runId, List<string> overdue)
    {
        while (true)
        {
            PipelineRunProbe.Run run;
            DateTime now;
            try
            {
                run = await platform.Runs.GetAsync(runId);
                now = await platform.Database.ScalarAsync<DateTime>("SELECT now()");
            }
            catch (Npgsql.NpgsqlException)
            {
                // The pool still holds connections the restart cut: the next attempt opens fresh ones.
                await Task.Delay(100);
                continue;
            }
            if (run.IsFinal)
                return run;
            if (run.DeadlineAt is { } deadline && now > deadline + Grace + TimeSpan.FromSeconds(5))
            {
                overdue.Add($"run {runId} still {run.State} at {now:HH:mm:ss}, {(now - deadline).TotalSeconds:0} s past its step deadline");
                return run;
            }
            if (run.DeadlineAt is null && (DateTime.UtcNow - run.History[^1].At.UtcDateTime) > StepTimeout + Grace + TimeSpan.FromSeconds(5))
            {
                overdue.Add($"run {runId} still {run.State} with no step deadline, {(DateTime.UtcNow - run.History[^1].At.UtcDateTime).TotalSeconds:0} s after its last step");
                return run;
            }
            await Task.Delay(200);
        }
    }
}
