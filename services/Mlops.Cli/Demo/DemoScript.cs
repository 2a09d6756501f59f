using Dapper;
using Microsoft.Extensions.Configuration;
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
    private string _servingSummary = "";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FirstChampionAsync(cancellationToken);
            await NewCodeChallengesAsync(cancellationToken);
            using var http = new HttpClient { BaseAddress = servingUrl, Timeout = TimeSpan.FromSeconds(30) };
            // Serving checks callers: an mlops_ token with models.invoke on the model's catalog, from Serving:Token (env Serving__Token).
            if (host.Get<IConfiguration>()["Serving:Token"] is { Length: > 0 } token)
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            await ServingAnswersAsync(http, cancellationToken);
            await DriftRetrainsAsync(http, cancellationToken);
            Summarise();
            return 0;
        }
        catch (Exception exception) when (exception is DemoFailedException or TimeoutException or HttpRequestException)
        {
            output.WriteLine();
            output.WriteLine($"DEMO FAILED: {exception.Message}");
            output.WriteLine("The services' logs are in .demo/logs.");
            return 1;
        }
    }

    private async Task FirstChampionAsync(CancellationToken cancellationToken)
    {
        Step($"1. Upstream lands {rows:N0} customers into raw.churn_customers; {model} has no champion, so new data starts a run");
        var batch = await host.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = rows, Seed = 7 }),
            model.Catalog, "demo-upstream", "the first churn snapshot", cancellationToken);
        output.WriteLine($"  batch {batch} landed; RawDataLanded published");

        var run = await FollowAsync(ct => _runs.StartedByAsync(null, batch.ToString(), ct), $"batch {batch}", cancellationToken);
        if (run.CurrentState != "Completed")
            throw new DemoFailedException($"the first run ended {run.CurrentState}: {run.FailureReason}");
        var champion = await ChampionAsync(cancellationToken);
        if (champion != run.ModelVersion)
            throw new DemoFailedException($"the run completed with v{run.ModelVersion} but the champion is {champion}");
        output.WriteLine($"  => {model} v{champion} is champion (validation auc {Metric(run, "auc")})");
    }

    private async Task NewCodeChallengesAsync(CancellationToken cancellationToken)
    {
        Step("2. New training code is released (a parameter change: l2 0.01 -> 1.0); its version challenges the champion");
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
            ? $"  => v{run.ModelVersion} promoted over v{run.ChampionBefore}"
            : $"  => v{run.ModelVersion} rejected, v{run.ChampionBefore} stays champion");
        if (run.CurrentState is not ("Completed" or "Rejected"))
            throw new DemoFailedException($"the challenger run ended {run.CurrentState}: {run.FailureReason}");
    }

    private async Task ServingAnswersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var champion = await ChampionAsync(cancellationToken);
        Step($"3. Serving answers with the champion (v{champion}); every prediction is logged, labels land later, monitoring watches");
        var traffic = new ServingTraffic(http, model.FullName);
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 3_000, Seed = 21, FirstCustomerId = 1_000_001 });
        await traffic.SendAsync(customers, rowsPerRequest: 50, concurrency: 4, cancellationToken);
        if (traffic.Failures > 0)
            throw new DemoFailedException($"{traffic.Failures} of {traffic.Requests} scoring requests failed; last: {traffic.LastFailure}");
        output.WriteLine($"  {customers.Count:N0} customers scored in {traffic.Requests} requests ({Versions(traffic)}), none failed");
        await LandLabelsAsync(traffic, cancellationToken);
        output.WriteLine("  their labels landed (GroundTruthLanded)");

        var judged = await WaitAsync(MonitoringAsync, r => r.Windows > 0, TimeSpan.FromSeconds(90), "monitoring to judge a window", cancellationToken);
        output.WriteLine($"  monitoring judged {judged.Windows} window(s): largest feature PSI {judged.MaxPsi:0.000} (threshold 0.2), no drift");
    }

    private async Task DriftRetrainsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        Step("4. The world shifts: charges rise, tenure falls, and what drives churn reverses; traffic follows");
        var championBefore = await ChampionAsync(cancellationToken);
        var landing = DateTimeOffset.UtcNow;
        var shifted = new ChurnDataOptions { RowCount = rows, Seed = 31, FirstCustomerId = 2_000_001, Shift = 1.5, ConceptShift = 1.0 };
        var batch = await host.LandAsync(ChurnDataGenerator.Generate(shifted), model.Catalog, "demo-upstream",
            "the shifted churn snapshot", cancellationToken);
        var landed = await WaitAsync(ct => _runs.LatestDispositionAsync("raw_data_landed", landing, ct), d => d is not null, TimeSpan.FromSeconds(60),
            "admission to see the shifted batch", cancellationToken);
        output.WriteLine($"  fresh batch {batch} landed ({rows:N0} rows) — {landed!.Value.Disposition}: {landed.Value.Detail}");

        var since = DateTimeOffset.UtcNow;
        var traffic = new ServingTraffic(http, model.FullName);
        var customers = ChurnDataGenerator.Generate(shifted with { RowCount = 5_000, Seed = 41, FirstCustomerId = 3_000_001 });
        using var load = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = traffic.SendUntilAsync(customers, rowsPerRequest: 25, concurrency: 4, load.Token);
        var labelling = LandLabelsUntilAsync(traffic, load.Token);
        output.WriteLine("  shifted traffic flows to serving from 4 clients; its labels land every 2 s");
        try
        {
            var runId = await new RunFollower(_runs, output).WaitForStartAsync(
                ct => _runs.StartedByKindSinceAsync(["drift_detected", "performance_degraded"], since, ct),
                "drift or degraded performance", TimeSpan.FromMinutes(4), cancellationToken);
            var trigger = await _runs.TriggerOfAsync(runId, cancellationToken);
            output.WriteLine($"  monitoring raised {trigger.Kind}: {trigger.Detail}");
            var run = await FollowAsync(_ => Task.FromResult<Guid?>(runId), trigger.Kind, cancellationToken);
            if (run.CurrentState != "Completed" || run.Evaluation is null)
                throw new DemoFailedException($"the retraining run ended {run.CurrentState}: {run.FailureReason}");
            output.WriteLine($"  => {RunsCommand.Describe(run.Evaluation)}");
            output.WriteLine($"  => v{run.ModelVersion} promoted over v{championBefore}");

            var newVersion = run.ModelVersion!.Value;
            await WaitAsync(_ => Task.FromResult(traffic.AnswersByVersion.GetValueOrDefault(newVersion)), n => n >= 20,
                TimeSpan.FromSeconds(60), $"serving to answer with v{newVersion}", cancellationToken);
            await load.CancelAsync();
            await Task.WhenAll(sending, labelling);
            if (traffic.Failures > 0)
                throw new DemoFailedException($"{traffic.Failures} of {traffic.Requests} requests failed under load; last: {traffic.LastFailure}");
            _servingSummary = $"serving swapped to v{newVersion} under load: {traffic.Requests:N0} requests ({Versions(traffic)}), 0 failed";
            output.WriteLine($"  {_servingSummary}");
        }
        finally
        {
            await load.CancelAsync();
            await Task.WhenAll(sending, labelling);
        }
    }

    private async Task LandLabelsUntilAsync(ServingTraffic traffic, CancellationToken until)
    {
        try
        {
            while (!until.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), until);
                await LandLabelsAsync(traffic, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // The load stopped; labels still queued are not needed any more.
        }
    }

    private async Task LandLabelsAsync(ServingTraffic traffic, CancellationToken cancellationToken)
    {
        foreach (var labels in traffic.TakeLabels().Chunk(1_000))
            await host.PublishAsync(new GroundTruthLanded
            {
                ModelName = model.FullName, Environment = model.Catalog, Principal = "demo-crm-export", Labels = labels,
            }, cancellationToken);
    }

    private async Task<(int Windows, double MaxPsi)> MonitoringAsync(CancellationToken cancellationToken)
    {
        await using var connection = await host.Get<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(int, double)>(new CommandDefinition("""
            SELECT count(DISTINCT window_start)::int,
                   coalesce(max(value) FILTER (WHERE metric = 'psi' AND subject_kind = 'feature'), 0)
            FROM monitoring.metric_results
            WHERE model_name = @FullName AND status IN ('ok', 'breached')
            """, new { model.FullName }, cancellationToken: cancellationToken));
    }

    private Task<int?> ChampionAsync(CancellationToken cancellationToken) =>
        host.Get<ModelRegistry>().FindAliasAsync(model.FullName, ModelAliases.Champion, cancellationToken);

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

    private static async Task<T> WaitAsync<T>(Func<CancellationToken, Task<T>> probe, Func<T, bool> until, TimeSpan timeout, string what,
        CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var value = await probe(limit.Token);
                if (until(value))
                    return value;
                await Task.Delay(250, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
        }
    }

    private void Summarise()
    {
        output.WriteLine();
        var champion = _finished.LastOrDefault(r => r.CurrentState == "Completed")?.ModelVersion;
        output.WriteLine($"DEMO OK: {model} champion v{champion}; {_finished.Count} runs: " +
                         string.Join(", ", _finished.Select(r => $"{r.Trigger} -> {r.CurrentState}{(r.ModelVersion is { } v ? $" (v{v})" : "")}")) +
                         $"; {_servingSummary}");
        foreach (var run in _finished)
            output.WriteLine($"  run {run.CorrelationId}: {run.Trigger}, trace {run.TraceId}");
    }

    private void Step(string title)
    {
        output.WriteLine();
        output.WriteLine($"==> {title}");
    }

    private static string Versions(ServingTraffic traffic) =>
        string.Join(", ", traffic.AnswersByVersion.OrderBy(v => v.Key).Select(v => $"v{v.Key}: {v.Value}"));

    private static string Metric(RunView run, string name) =>
        run.ValidationMetrics.TryGetValue(name, out var value) ? value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "?";
}
