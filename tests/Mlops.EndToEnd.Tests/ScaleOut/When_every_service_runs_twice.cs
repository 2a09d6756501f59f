using System.Diagnostics;
using MassTransit;
using Mlops.Contracts;
using Mlops.Orchestrator.Sagas;
using Mlops.Simulator;
using Mlops.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.EndToEnd.Tests.ScaleOut;

/// <summary>
/// Scale-out: two instances of every worker and of the orchestrator against one broker and one database share the runs
/// between them, and every run is still processed exactly once (one feature version, one training, one model version, each
/// step leased once) and ends. Throughput with two instances against one is printed; its goal belongs in bench/.
/// </summary>
public sealed class When_every_service_runs_twice(ScaleOutFixture platform, ITestOutputHelper output) : IClassFixture<ScaleOutFixture>
{
    private const int RoundsPerPhase = 3;

    [Fact]
    public async Task Every_run_ends_once_with_each_step_done_once_and_both_instances_take_work()
    {
        await platform.Lander.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 2_000, Seed = 11 }), "dev", "scale-out");

        // Warm-up, unmeasured: the first run of each model pays for JIT and the first feature version.
        var warmUp = await RunRoundsAsync(1);
        var one = await RunRoundsAsync(RoundsPerPhase);
        await platform.AddInstanceAsync();
        var two = await RunRoundsAsync(RoundsPerPhase);

        var runs = warmUp.Runs.Concat(one.Runs).Concat(two.Runs).ToList();
        var expected = (1 + 2 * RoundsPerPhase) * ScaleOutFixture.Models.Count;
        Assert.Equal(expected, runs.Distinct().Count());

        // No run lost: every run ended, the way a run of a healthy model ends.
        var states = await platform.Database.QueryAsync<(Guid RunId, string State)>(
            "SELECT correlation_id, current_state FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = ANY(@runs)", new { runs = runs.ToArray() });
        Assert.Equal(expected, states.Count);
        Assert.All(states, run => Assert.Contains(run.State, new[] { "Completed", "Rejected" }));
        // Each model's first run has no champion to beat and is promoted; every completed run moved the champion alias once.
        Assert.All(warmUp.Runs, runId => Assert.Equal("Completed", states.Single(run => run.RunId == runId).State));
        await AssertOnePerRunAsync("registry.alias_history", [.. states.Where(run => run.State == "Completed").Select(run => run.RunId)],
            "alias = 'champion'");

        // No step processed twice: one feature version, one training and one model version per run; every leased step taken once.
        await AssertOnePerRunAsync("features.table_versions", runs);
        await AssertOnePerRunAsync("tracking.runs", runs);
        await AssertOnePerRunAsync("registry.model_versions", runs);
        var leases = await platform.Database.QueryAsync<(Guid RunId, string Step, string Status, int Attempt, string Owner)>(
            "SELECT pipeline_run_id, step, status, attempt, owner FROM steps.step_leases WHERE pipeline_run_id = ANY(@runs)", new { runs = runs.ToArray() });
        var steps = leases.Select(l => l.Step).Distinct().ToList();
        Assert.NotEmpty(steps);
        Assert.Equal(expected * steps.Count, leases.Count);
        Assert.All(leases, lease => Assert.Equal(("done", 1), (lease.Status, lease.Attempt)));
        Assert.Empty(await platform.Database.QueryAsync<long>("SELECT id FROM messaging.dead_letters"));

        // Both instances took work once there were two: each leased step was done by two owners among the second phase's runs.
        foreach (var step in steps)
        {
            var owners = leases.Where(l => l.Step == step && two.Runs.Contains(l.RunId)).Select(l => l.Owner).Distinct().ToList();
            Assert.True(owners.Count == 2, $"step {step} of the two-instance runs was done by {string.Join(", ", owners)}");
        }

        output.WriteLine($"scale-out: {one.Runs.Count} runs with one instance of each service in {one.Elapsed.TotalSeconds:F1} s ({one.RunsPerSecond:F2} runs/s), " +
                         $"{two.Runs.Count} with two in {two.Elapsed.TotalSeconds:F1} s ({two.RunsPerSecond:F2} runs/s): ratio {two.RunsPerSecond / one.RunsPerSecond:F2}");
    }

    /// <summary>Asks for a run of every model per round and waits for the round's runs to end before the next round.</summary>
    private async Task<Phase> RunRoundsAsync(int rounds)
    {
        var runs = new List<Guid>();
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            var requests = ScaleOutFixture.Models.Select(model => (Model: model, MessageId: NewId.NextGuid())).ToList();
            await Task.WhenAll(requests.Select(request => platform.Bus.Publish(new PipelineRequested
            {
                ModelName = request.Model, Environment = "dev", Principal = "scale-out", Reason = $"round {round} with {platform.Instances} instance(s)",
            }, context => context.MessageId = request.MessageId)));

            var started = await Eventually.WaitAsync(() => platform.Database.QueryAsync<Guid>(
                    "SELECT run_id FROM pipeline.triggers WHERE disposition = 'started' AND message_id = ANY(@ids)",
                    new { ids = requests.Select(r => r.MessageId).ToArray() }),
                ids => ids.Count == requests.Count, $"a run started for each of the {requests.Count} requests");
            await Eventually.WaitAsync(() => platform.Database.ScalarAsync<long>(
                    "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = ANY(@started) AND current_state = ANY(@final)",
                    new { started = started.ToArray(), final = DeployCodePipelineStateMachine.FinalStateNames }),
                ended => ended == started.Count, $"the {started.Count} runs of round {round} to end", TimeSpan.FromMinutes(3));
            runs.AddRange(started);
        }
        return new Phase(runs, clock.Elapsed);
    }

    private async Task AssertOnePerRunAsync(string table, IReadOnlyList<Guid> runs, string filter = "true")
    {
        var counts = await platform.Database.QueryAsync<(Guid RunId, long Count)>(
            $"SELECT pipeline_run_id, count(*) FROM {table} WHERE pipeline_run_id = ANY(@runs) AND {filter} GROUP BY pipeline_run_id",
            new { runs = runs.ToArray() });
        Assert.Equal(runs.Count, counts.Count);
        Assert.All(counts, row => Assert.True(row.Count == 1, $"run {row.RunId} has {row.Count} rows in {table}"));
    }

    private sealed record Phase(IReadOnlyList<Guid> Runs, TimeSpan Elapsed)
    {
        public double RunsPerSecond => Runs.Count / Elapsed.TotalSeconds;
    }
}
