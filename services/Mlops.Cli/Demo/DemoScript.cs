using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Cli.Commands;
using Mlops.Cli.Runs;
using Mlops.Contracts;
using Mlops.Simulator;
using Npgsql;

namespace Mlops.Cli.Demo;

/// <summary>
/// The demo, step by step, against running services: each step says what it does, shows the run advancing, and checks the
/// outcome. It ends with "DEMO OK" and a summary, or fails with what went wrong.
/// </summary>
public sealed class DemoScript(CliHost host, TextWriter output, ModelName model, int rows, Uri servingUrl)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    private readonly PipelineRuns _runs = new(host.Get<NpgsqlDataSource>());
    private readonly List<RunView> _finished = [];

    public Uri ServingUrl { get; } = servingUrl;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FirstChampionAsync(cancellationToken);
            await NewCodeChallengesAsync(cancellationToken);
            Summarise();
            return 0;
        }
        catch (Exception exception) when (exception is DemoFailedException or TimeoutException)
        {
            output.WriteLine();
            output.WriteLine($"DEMO FAILED: {exception.Message}");
            output.WriteLine("The services' logs are in .demo/logs.");
            return 1;
        }
    }

    private async Task FirstChampionAsync(CancellationToken cancellationToken)
    {
        Step($"1. Upstream lands {rows:N0} customers into raw.churn_customers; {model} retrains on new data");
        var batch = await host.Get<RawDataLander>().LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = rows, Seed = 7 }),
            model.Catalog, "demo-upstream", "the first churn snapshot", cancellationToken);
        await host.WaitForOutboxAsync(cancellationToken);
        output.WriteLine($"  batch {batch} landed; RawDataLanded published");

        var run = await FollowAsync(ct => _runs.StartedByAsync(null, batch.ToString(), ct), $"batch {batch}", cancellationToken);
        if (run.CurrentState != "Completed")
            throw new DemoFailedException($"the first run ended {run.CurrentState}: {run.FailureReason}");
        var champion = await host.Get<ModelRegistry>().FindAliasAsync(model.FullName, ModelAliases.Champion, cancellationToken);
        if (champion != run.ModelVersion)
            throw new DemoFailedException($"the run completed with v{run.ModelVersion} but the champion is {champion}");
        output.WriteLine($"  => {model} v{champion} is champion (validation auc {Metric(run, "auc")})");
    }

    private async Task NewCodeChallengesAsync(CancellationToken cancellationToken)
    {
        Step("2. New training code is released (a parameter change: l2 0.01 -> 1.0); v2 challenges the champion");
        var messageId = Guid.NewGuid();
        await host.PublishAsync(new TrainingCodeReleased
        {
            ModelName = model.FullName,
            Environment = model.Catalog,
            Principal = "demo-data-scientist",
            CodeVersion = "demo-2f9c1e7",
            Trainer = "logistic_regression",
            Parameters = new Dictionary<string, string> { ["l2"] = "1.0", ["max_iterations"] = "200", ["seed"] = "42" },
        }, cancellationToken, messageId);

        var run = await FollowAsync(ct => _runs.StartedByAsync(messageId, null, ct), "the code release", cancellationToken);
        if (run.Evaluation is not { } evaluation)
            throw new DemoFailedException($"the challenger run ended {run.CurrentState} before its evaluation: {run.FailureReason}");
        output.WriteLine($"  => {RunsCommand.Describe(evaluation)}");
        output.WriteLine(run.CurrentState == "Completed"
            ? $"  => v{run.ModelVersion} promoted: {evaluation.Reason}"
            : $"  => v{run.ModelVersion} rejected, v{run.ChampionBefore} stays champion: {evaluation.Reason}");
        if (run.CurrentState is not ("Completed" or "Rejected"))
            throw new DemoFailedException($"the challenger run ended {run.CurrentState}: {run.FailureReason}");
    }

    private async Task<RunView> FollowAsync(Func<CancellationToken, Task<Guid?>> find, string what, CancellationToken cancellationToken)
    {
        var follower = new RunFollower(_runs, output);
        var runId = await follower.WaitForStartAsync(find, what, TimeSpan.FromSeconds(60), cancellationToken);
        output.WriteLine($"  run {runId} started");
        var run = await follower.FollowAsync(runId, RunTimeout, cancellationToken);
        output.WriteLine($"  trace {run.TraceId}");
        _finished.Add(run);
        return run;
    }

    private void Summarise()
    {
        output.WriteLine();
        var champion = _finished.LastOrDefault(r => r.CurrentState == "Completed")?.ModelVersion;
        output.WriteLine($"DEMO OK: {model} champion v{champion}; {_finished.Count} runs: " +
                         string.Join(", ", _finished.Select(r => $"{r.Trigger} -> {r.CurrentState}{(r.ModelVersion is { } v ? $" (v{v})" : "")}")));
        foreach (var run in _finished)
            output.WriteLine($"  run {run.CorrelationId}: trace {run.TraceId}");
    }

    private void Step(string title)
    {
        output.WriteLine();
        output.WriteLine($"==> {title}");
    }

    private static string Metric(RunView run, string name) =>
        run.ValidationMetrics.TryGetValue(name, out var value) ? value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "?";
}
