using System.Diagnostics;
using Mlops.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// kill -9 of each worker and of the orchestrator in the middle of its step, across 20 runs in two lanes (dev and staging
/// churn) at once: every run ends exactly once, no run has two versions, none is left stuck.
/// </summary>
public sealed class When_services_are_killed_mid_step(ITestOutputHelper output)
{
    private const int RunsPerLane = 10;

    // Leased steps are made slower than a restart (the training helper's fault injection), so the kill lands inside them.
    private static readonly TimeSpan ExtraWork = TimeSpan.FromSeconds(3);

    // Which service dies when a run reaches which state. Compliance, Promotion and the orchestrator are quick: they die the
    // moment the run enters their step; the leased steps a third of the way into their extra work.
    private static readonly (string Service, string State, bool Leased)[] Victims =
    [
        ("FeatureRefresh", "RefreshingFeatures", true),
        ("Training", "Training", true),
        ("Compliance", "CheckingCompliance", false),
        ("Promotion", "Evaluating", false),
        ("Orchestrator", "Training", false),
    ];

    private readonly Dictionary<string, SemaphoreSlim> _restarting = Platform.Pipeline.ToDictionary(s => s, _ => new SemaphoreSlim(1, 1));
    private readonly List<TimeSpan> _recoveries = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _inStepBy = new();
    private int _inStep;
    private int _missed;

    [FaultFact]
    public async Task Every_run_ends_once_with_one_version_and_none_is_stuck()
    {
        var report = new ScenarioReport("kill-9 mid-step", output);
        await using var platform = await Platform.StartAsync("kill9", Platform.Pipeline, new Dictionary<string, string>
        {
            ["Steps__FaultInjection__ExtraWorkDuration"] = ExtraWork.ToString(),
            // A second lane: staging's churn model, configured like dev's.
            ["Pipeline__Models__1__Name"] = "staging.ml.churn",
            ["Pipeline__Models__1__FeatureTable"] = "churn_features",
            ["Pipeline__Models__1__SourceTable"] = "raw.churn_customers",
            ["Pipeline__Models__1__OnNewData"] = "RetrainUntilChampion",
            ["Pipeline__Models__1__Trainer"] = "logistic_regression",
            ["Pipeline__Models__1__CodeVersion"] = "builtin",
            ["Pipeline__Models__1__Parameters__l2"] = "0.01",
            ["Pipeline__Models__1__Parameters__max_iterations"] = "200",
            ["Pipeline__Models__1__Parameters__seed"] = "42",
        });

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(LaneAsync(platform, "dev", 0), LaneAsync(platform, "staging", 2));

        var runs = await platform.Runs.AllAsync();
        var stuck = runs.Where(r => !r.IsFinal).ToList();
        var endedTwice = runs.Where(r => r.Endings > 1).ToList();
        var duplicates = await platform.Runs.DuplicateVersionsAsync();
        var extraFinished = await platform.Runs.ExtraFinishedMessagesAsync();
        long doubleTrainings = 0;
        foreach (var run in runs)
            doubleTrainings += Math.Max(0, await platform.Runs.FinishedTrainingsOfAsync(run.Id) - 1);

        report.Figure("runs", runs.Count);
        foreach (var state in PipelineRunProbe.FinalStates)
            report.Figure($"ended_{state.ToLowerInvariant()}", runs.Count(r => r.State == state));
        report.Figure("kills", Platform.Pipeline.Sum(s => platform[s].Kills));
        report.Figure("kills_inside_the_step", _inStep);
        report.Figure("kills_after_the_step", _missed);
        report.Figure("stuck", stuck.Count);
        report.Figure("lost", stuck.Count);
        report.Figure("duplicated", duplicates + doubleTrainings + endedTwice.Count + extraFinished);
        report.Figure("duplicate_versions", duplicates);
        report.Figure("second_trainings", doubleTrainings);
        report.Figure("redeliveries", await platform.Broker.RedeliveredInVirtualHostAsync(platform.VirtualHost));
        report.Figure("seconds", watch.Elapsed.TotalSeconds);
        foreach (var recovery in _recoveries)
            report.Recovered(recovery);

        report.Expect(runs.Count >= 2 * (RunsPerLane + 1), $"{runs.Count} runs, expected {2 * (RunsPerLane + 1)}");
        report.Expect(stuck.Count == 0, $"{stuck.Count} runs never ended: {string.Join(", ", stuck)}");
        report.Expect(endedTwice.Count == 0, $"{endedTwice.Count} runs ended more than once: {string.Join(", ", endedTwice)}");
        report.Expect(extraFinished == 0, $"{extraFinished} extra PipelineRunFinished messages");
        report.Expect(duplicates == 0, $"{duplicates} runs registered more than one version");
        report.Expect(doubleTrainings == 0, $"{doubleTrainings} trainings ran a second time to the end");
        foreach (var (service, state, _) in Victims.DistinctBy(v => v.Service))
            report.Expect(_inStepBy.ContainsKey(service),
                $"no kill of {service} landed inside {state}: the step was over before the kill (is Steps:FaultInjection:ExtraWorkDuration in this build?)");
        await report.AssertAsync();
    }

    private async Task LaneAsync(Platform platform, string environment, int offset)
    {
        var model = $"{environment}.ml.churn";
        var first = await platform.LandDataAndWaitAsync(environment);
        output.WriteLine($"{model}: first run {first}");
        for (var i = 0; i < RunsPerLane; i++)
        {
            var (service, state, leased) = Victims[(i + offset) % Victims.Length];
            var runId = await platform.RequestRunAsync(model);
            var seen = await platform.Runs.WaitStateAsync(runId, state, TimeSpan.FromSeconds(90));
            if (leased && seen == state)
                await Task.Delay(ExtraWork / 3);
            var killed = Stopwatch.StartNew();
            var stillThere = await platform.Database.ScalarAsync<string?>(
                "SELECT current_state FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId }) == state;
            await KillAndRestartAsync(platform[service]);
            if (stillThere)
            {
                Interlocked.Increment(ref _inStep);
                _inStepBy.AddOrUpdate(service, 1, (_, n) => n + 1);
            }
            else
                Interlocked.Increment(ref _missed);

            var run = await platform.Runs.WaitFinalAsync(runId, TimeSpan.FromSeconds(120));
            lock (_recoveries)
                _recoveries.Add(killed.Elapsed);
            output.WriteLine($"{model} run {i + 1}: killed {service} at {seen} ({(stillThere ? "inside" : "after")} the step); ended {run.State}");
        }
    }

    private async Task KillAndRestartAsync(ServiceProcess service)
    {
        var gate = _restarting[service.Name];
        await gate.WaitAsync();
        try
        {
            service.Kill();
            await service.RestartAsync();
        }
        finally
        {
            gate.Release();
        }
    }
}
