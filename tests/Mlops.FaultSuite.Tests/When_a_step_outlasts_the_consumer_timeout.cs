using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// The suite's RabbitMQ node closes a channel whose delivery stays unacknowledged longer than consumer_timeout (a few
/// seconds; deploy/test.sh sets MLOPS_RABBITMQ_CONSUMER_TIMEOUT_MS) and redelivers it. A step made slower than that
/// must still train once and register one version.
/// </summary>
public sealed class When_a_step_outlasts_the_consumer_timeout(ITestOutputHelper output)
{
    private static readonly TimeSpan ConsumerTimeout =
        TimeSpan.FromMilliseconds(int.Parse(Environment.GetEnvironmentVariable("MLOPS_RABBITMQ_CONSUMER_TIMEOUT_MS") ?? "5000"));

    // Past the timeout plus the node's one-second check, with room to spare.
    private static readonly TimeSpan ExtraWork = ConsumerTimeout * 2 + TimeSpan.FromSeconds(2);

    [FaultFact]
    public async Task One_training_and_one_version()
    {
        var report = new ScenarioReport("slow step", output);
        await using var platform = await Platform.StartAsync("slowstep", Platform.Pipeline, new Dictionary<string, string>
        {
            ["Steps__FaultInjection__ExtraWorkDuration"] = ExtraWork.ToString(),
        });

        var run = await platform.LandDataAndWaitAsync();
        var training = run.Span("Training");
        var stepSeconds = training is { Left: { } left } ? (left - training.Value.Entered).TotalSeconds : double.NaN;
        var trainings = await platform.Runs.FinishedTrainingsOfAsync(run.Id);
        var allTrainings = await platform.Database.ScalarAsync<long>("SELECT count(*) FROM tracking.runs WHERE pipeline_run_id = @Id", new { run.Id });
        var versions = await platform.Runs.VersionsOfAsync(run.Id);
        var redelivered = await platform.Broker.RedeliveredInVirtualHostAsync(platform.VirtualHost);

        report.Figure("consumer_timeout_seconds", ConsumerTimeout.TotalSeconds);
        report.Figure("extra_work_seconds", ExtraWork.TotalSeconds);
        report.Figure("training_step_seconds", stepSeconds);
        report.Figure("run_state", run.State ?? "");
        report.Figure("trainings_finished", trainings);
        report.Figure("trainings_started", allTrainings);
        report.Figure("versions", versions);
        report.Figure("redeliveries", redelivered);
        report.Figure("lost", run.State == "Completed" || run.State == "Rejected" ? 0 : 1);
        report.Figure("duplicated", Math.Max(0, trainings - 1) + Math.Max(0, versions - 1));

        report.Expect(stepSeconds > ConsumerTimeout.TotalSeconds,
            $"the Training step took {stepSeconds:0.0} s, not longer than consumer_timeout ({ConsumerTimeout.TotalSeconds:0} s): is Steps:FaultInjection:ExtraWorkDuration in this build?");
        report.Expect(run.State == "Completed", $"the run ended {run}");
        report.Expect(trainings == 1, $"{trainings} trainings finished for one run");
        report.Expect(versions == 1, $"{versions} versions registered for one run");
        await report.AssertAsync();
    }
}
