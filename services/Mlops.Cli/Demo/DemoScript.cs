using System.Net.Http.Headers;
using Mlops.Api.Audit;
using Mlops.Hosting.Audit;
using Mlops.Api.Identity;
using Mlops.Hosting.Identity;
using Mlops.Api.Responses;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Cli.Api;
using Mlops.Cli.Commands;
using Mlops.Cli.Runs;
using Mlops.Simulator;

namespace Mlops.Cli.Demo;

/// <summary>
/// The demo, step by step, against running services and only through the API: the admin (the configured token) creates the
/// demo's principals and their tokens, and each acts with its own: the upstream pipeline lands data and labels, the ML engineer
/// releases code, the DevOps engineer is refused what is not theirs and approves promotions (which the engineer who released
/// the code may not). Each step says what it does, shows the run advancing, and
/// checks the outcome. It ends with "DEMO OK" and a summary, or fails with what went wrong.
/// </summary>
public sealed class DemoScript(CliSettings settings, ApiClient admin, TextWriter output, ModelName model, int rows, Uri servingUrl,
    bool promoteToProd = false, DemoWebhook? webhook = null) : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    private const string ReleasedCode = "demo-2f9c1e7";

    /// <summary>The events the demo's webhook receiver subscribes to, registry-wide.</summary>
    private static readonly string[] WebhookEvents = ["model_version.created", "alias.set", "approval.requested", "run.finished"];
    private readonly List<RunDetails> _finished = [];
    private readonly List<IDisposable> _owned = [];
    private ApiClient _upstream = null!;
    private ApiClient _upstreamProd = null!;
    private Guid? _subscription;
    private string _promotionSummary = "";
    private string _webhookSummary = "";
    private ApiClient _engineer = null!;
    private ApiClient _devops = null!;
    private string _servingToken = "";
    private string _servingSummary = "";

    private string ModelPath => $"api/models/{Uri.EscapeDataString(model.FullName)}";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrincipalsAsync(cancellationToken);
            await FirstChampionAsync(cancellationToken);
            await NewCodeChallengesAsync(cancellationToken);
            using var http = new HttpClient { BaseAddress = servingUrl, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _servingToken);
            await ServingAnswersAsync(http, cancellationToken);
            await DriftRetrainsAsync(http, cancellationToken);
            if (promoteToProd)
                await CodeGoesToProdAsync(cancellationToken);
            await AuditAsync(cancellationToken);
            await WebhooksDeliveredAsync(cancellationToken);
            Summarise();
            return 0;
        }
        catch (Exception exception) when (exception is DemoFailedException or TimeoutException or HttpRequestException or CliException)
        {
            output.WriteLine();
            output.WriteLine($"DEMO FAILED: {exception.Message}");
            output.WriteLine("The services' logs are in .demo/logs.");
            return 1;
        }
    }

    private async Task PrincipalsAsync(CancellationToken cancellationToken)
    {
        Step("0. The admin creates the demo's principals and a token for each (POST /api/principals, /tokens); from now on each acts with its own");
        var existing = (await admin.GetAsync<List<PrincipalRecord>>("api/principals", cancellationToken)).Select(p => p.Name).ToHashSet();
        _upstream = await PrincipalAsync("demo-upstream", PrincipalKinds.Service, Roles.DataScientist, existing, "lands dev data and labels", cancellationToken);
        _upstreamProd = await PrincipalAsync("demo-upstream-prod", PrincipalKinds.Service, Roles.DevOpsEngineer, existing, "lands staging and prod data",
            cancellationToken);
        _engineer = await PrincipalAsync("demo-ml-engineer", PrincipalKinds.User, Roles.MlEngineer, existing, "releases training code", cancellationToken);
        _devops = await PrincipalAsync("demo-devops", PrincipalKinds.User, Roles.DevOpsEngineer, existing, "approves promotions, runs production", cancellationToken);
        var serving = await IssueAsync("demo-serving-client", PrincipalKinds.Service, Roles.DataScientist, existing, "calls the model", cancellationToken);
        _servingToken = serving.Token;

        if (webhook is not null)
        {
            var subscription = await admin.PostAsync<WebhookSubscription>("api/webhooks", new
            {
                url = webhook.Url.ToString(), eventTypes = WebhookEvents, secret = webhook.Secret, description = "the demo's receiver (mlops webhooks listen)",
            }, cancellationToken);
            _subscription = subscription.Id;
            output.WriteLine($"  the admin subscribes the demo's webhook receiver ({webhook.Url}) registry-wide to {string.Join(", ", WebhookEvents)}; " +
                             "it verifies each signature and prints what it got as [webhook] lines");
        }
    }

    private async Task<ApiClient> PrincipalAsync(string name, string kind, string role, HashSet<string> existing, string purpose, CancellationToken cancellationToken)
    {
        var token = await IssueAsync(name, kind, role, existing, purpose, cancellationToken);
        var client = new ApiClient(settings, token.Token);
        _owned.Add(client);
        return client;
    }

    private async Task<IssuedToken> IssueAsync(string name, string kind, string role, HashSet<string> existing, string purpose, CancellationToken cancellationToken)
    {
        if (!existing.Contains(name))
            await admin.PostAsync<PrincipalRecord>("api/principals", new { name, kind, roles = new[] { role } }, cancellationToken);
        var token = await admin.PostAsync<IssuedToken>($"api/principals/{name}/tokens", new { description = "demo", expiresInDays = 1 }, cancellationToken);
        output.WriteLine($"  {name,-20} {role,-16} {purpose}");
        return token;
    }

    private async Task FirstChampionAsync(CancellationToken cancellationToken)
    {
        Step($"1. demo-upstream lands {rows:N0} customers into raw.churn_customers; {model} has no champion, so new data starts a run");
        var batch = await LandAsync(new ChurnDataOptions { RowCount = rows, Seed = 7 }, "the first churn snapshot", cancellationToken);
        output.WriteLine($"  batch {batch} landed; RawDataLanded published");

        var run = await FollowAsync(async ct => await NewRunAsync(r => Task.FromResult(r.Trigger.Length > 0), d => d.TriggerDetail.Contains(batch.ToString()), ct),
            $"batch {batch}", cancellationToken);
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
        const string codeVersion = ReleasedCode;
        var release = new
        {
            modelName = model.FullName, codeVersion, trainer = "logistic_regression",
            parameters = new Dictionary<string, string> { ["l2"] = "1.0", ["max_iterations"] = "200", ["seed"] = "42" },
        };
        try
        {
            await _devops.PostAsync<AcceptedMessage>("api/ingestion/code-released", release, cancellationToken);
            throw new DemoFailedException("demo-devops was allowed to release training code; the access matrix gives DevOps no models.write");
        }
        catch (CliException refused) when (refused.Message.Contains("403"))
        {
            output.WriteLine($"  demo-devops tries first and is refused (audited): {refused.Message}");
        }
        var accepted = await _engineer.PostAsync<AcceptedMessage>("api/ingestion/code-released", release, cancellationToken);
        output.WriteLine($"  demo-ml-engineer released {codeVersion} (message {accepted.MessageId})");

        var run = await FollowAsync(ct => NewRunAsync(r => Task.FromResult(r.CodeVersion == codeVersion), _ => true, ct), "the code release", cancellationToken);
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
        Step($"3. Serving answers with the champion (v{champion}) for demo-serving-client; every prediction is logged, labels land later, monitoring watches");
        var traffic = new ServingTraffic(http, model.FullName);
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 3_000, Seed = 21, FirstCustomerId = 1_000_001 });
        await traffic.SendAsync(customers, rowsPerRequest: 50, concurrency: 4, cancellationToken);
        if (traffic.Failures > 0)
            throw new DemoFailedException($"{traffic.Failures} of {traffic.Requests} scoring requests failed; last: {traffic.LastFailure}");
        output.WriteLine($"  {customers.Count:N0} customers scored in {traffic.Requests} requests ({Versions(traffic)}), none failed");
        await LandLabelsAsync(traffic, cancellationToken);
        output.WriteLine("  demo-upstream landed their labels (POST /api/ingestion/labels-landed)");
    }

    private async Task DriftRetrainsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        Step("4. The world shifts: charges rise, tenure falls, and what drives churn reverses; traffic follows");
        var championBefore = await ChampionAsync(cancellationToken);
        var shifted = new ChurnDataOptions { RowCount = rows, Seed = 31, FirstCustomerId = 2_000_001, Shift = 1.5, ConceptShift = 1.0 };
        var batch = await LandAsync(shifted, "the shifted churn snapshot", cancellationToken);
        output.WriteLine($"  fresh batch {batch} landed ({rows:N0} rows)");

        var traffic = new ServingTraffic(http, model.FullName);
        var customers = ChurnDataGenerator.Generate(shifted with { RowCount = 5_000, Seed = 41, FirstCustomerId = 3_000_001 });
        using var load = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = traffic.SendUntilAsync(customers, rowsPerRequest: 25, concurrency: 4, load.Token);
        var labelling = LandLabelsUntilAsync(traffic, load.Token);
        output.WriteLine("  shifted traffic flows to serving from 4 clients; its labels land every 2 s");
        try
        {
            string[] kinds = ["drift_detected", "performance_degraded"];
            var run = await FollowAsync(ct => NewRunAsync(r => Task.FromResult(kinds.Contains(r.Trigger)), _ => true, ct), "drift or degraded performance",
                cancellationToken, TimeSpan.FromMinutes(4), d => output.WriteLine($"  monitoring raised {d.Trigger}: {d.TriggerDetail}"));
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

    private async Task AuditAsync(CancellationToken cancellationToken)
    {
        Step("6. The admin checks the audit log: every call above is in it, hash-chained (GET /api/audit/verify)");
        var verdict = await admin.GetAsync<AuditVerification>("api/audit/verify", cancellationToken);
        if (!verdict.Intact)
            throw new DemoFailedException($"the audit log is broken: {verdict.Message}");
        var denied = await admin.GetAsync<List<AuditEntry>>("api/audit/entries?principal=demo-devops&outcome=denied", cancellationToken);
        output.WriteLine($"  {verdict.Message} demo-devops's refusals on record: {denied.Count}");
        if (denied.Count == 0)
            throw new DemoFailedException("demo-devops's refusal is not in the audit log");
    }

    private async Task CodeGoesToProdAsync(CancellationToken cancellationToken)
    {
        var staging = PromotionChain.ModelIn("staging", model);
        var prod = PromotionChain.ModelIn("prod", model);
        var environmentRows = Math.Min(rows, 20_000);
        Step($"5. Code goes dev -> staging -> prod: {ReleasedCode} completed the pipeline in dev; each environment runs it on its own data");
        var stagingBatch = await LandAsync(_upstreamProd, "staging", new ChurnDataOptions { RowCount = environmentRows, Seed = 51, FirstCustomerId = 4_000_001 },
            "staging's churn snapshot", cancellationToken);
        var prodBatch = await LandAsync(_upstreamProd, "prod", new ChurnDataOptions { RowCount = environmentRows, Seed = 61, FirstCustomerId = 5_000_001 },
            "prod's churn snapshot", cancellationToken);
        output.WriteLine($"  demo-upstream-prod landed {environmentRows:N0} customers in staging (batch {stagingBatch}) and in prod (batch {prodBatch})");

        var promote = $"{ModelPath}/promote-code";
        try
        {
            await _engineer.PostAsync<AcceptedMessage>(promote, new { codeVersion = ReleasedCode, to = "prod" }, cancellationToken);
            throw new DemoFailedException($"{ReleasedCode} was promoted to prod before it completed in staging: the promotion chain is not enforced");
        }
        catch (CliException refused) when (refused.Message.Contains("409", StringComparison.Ordinal))
        {
            output.WriteLine($"  demo-ml-engineer tries prod first and is refused: {refused.Message}");
        }

        var stagingRun = await PromoteAsync(promote, "staging", staging, cancellationToken);
        var prodRun = await PromoteAsync(promote, "prod", prod, cancellationToken);
        if (prodRun.ApprovedBy is null)
            throw new DemoFailedException($"the prod run {prodRun.CorrelationId} completed without an approval");
        _promotionSummary = $"code {ReleasedCode} promoted dev -> staging ({staging} v{stagingRun.ModelVersion}) -> prod ({prod} v{prodRun.ModelVersion}, " +
                            $"approved by {prodRun.ApprovedBy})";
        output.WriteLine($"  => {_promotionSummary}");
    }

    /// <summary>demo-ml-engineer promotes the released code into <paramref name="environment"/>; its run there must complete.</summary>
    private async Task<RunDetails> PromoteAsync(string promote, string environment, string target, CancellationToken cancellationToken)
    {
        var accepted = await _engineer.PostAsync<AcceptedMessage>(promote, new { codeVersion = ReleasedCode, to = environment }, cancellationToken);
        output.WriteLine($"  demo-ml-engineer promoted {ReleasedCode} to {environment} (mlops promote-code --to {environment}; message {accepted.MessageId})");
        var run = await FollowAsync(ct => NewRunAsync(target, r => Task.FromResult(r.CodeVersion == ReleasedCode), _ => true, ct),
            $"the promotion to {environment}", cancellationToken);
        if (run.CurrentState != "Completed")
            throw new DemoFailedException($"the {environment} run ended {run.CurrentState}: {run.FailureReason}");
        if (run.History.FirstOrDefault(h => h.Note.Contains("pipeline configuration", StringComparison.Ordinal)) is { } configured)
            output.WriteLine($"  {configured.Note} (Pipeline:Environments:{environment})");
        output.WriteLine($"  => {target} v{run.ModelVersion} is champion in {environment}, trained on {environment}'s data " +
                         $"(feature version {run.FeatureVersion}{(run.Evaluation is { } e ? $"; {RunsCommand.Describe(e)}" : "")})");
        return run;
    }

    /// <summary>Every run the demo followed reached the receiver as a verified run.finished (a 2xx: it answers 401 to a bad signature).</summary>
    private async Task WebhooksDeliveredAsync(CancellationToken cancellationToken)
    {
        if (_subscription is not { } id)
            return;
        Step("7. The webhook receiver got every event, each signature verified (GET /api/webhooks/{id}/deliveries)");
        var deliveries = await WaitAsync(ct => admin.GetAsync<List<WebhookDelivery>>($"api/webhooks/{id}/deliveries?limit=1000", ct),
            d => d.Count(x => x.EventType == "run.finished" && x.Status == "delivered") >= _finished.Count || d.Any(x => x.Status == "failed"),
            TimeSpan.FromSeconds(60), "the receiver to verify a run.finished of every run", cancellationToken);
        if (deliveries.FirstOrDefault(d => d.Status == "failed") is { } failed)
            throw new DemoFailedException($"delivery {failed.Id} ({failed.EventType}) failed: {failed.LastStatusCode} {failed.LastError}");
        var delivered = deliveries.Where(d => d.Status == "delivered").ToList();
        _webhookSummary = $"webhooks: {delivered.Count} deliveries verified by the receiver (" +
                          string.Join(", ", delivered.GroupBy(d => d.EventType).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}")) + ")";
        output.WriteLine($"  {_webhookSummary}");
    }

    private Task<Guid> LandAsync(ChurnDataOptions options, string description, CancellationToken cancellationToken) =>
        LandAsync(_upstream, model.Catalog, options, description, cancellationToken);

    private static async Task<Guid> LandAsync(ApiClient upstream, string environment, ChurnDataOptions options, string description,
        CancellationToken cancellationToken)
    {
        var landed = await upstream.PostAsync<LandedBatch>("api/simulator/batches", new
        {
            environment, rows = options.RowCount, seed = options.Seed, firstCustomerId = options.FirstCustomerId, shift = options.Shift,
            conceptShift = options.ConceptShift, description,
        }, cancellationToken);
        return landed.BatchId;
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
            await _upstream.PostAsync<AcceptedMessage>("api/ingestion/labels-landed", new
            {
                modelName = model.FullName, labels = labels.Select(l => new { requestId = l.RequestId, rowIndex = l.RowIndex, label = l.Label }),
            }, cancellationToken);
    }

    /// <summary>A run of the model the demo has not followed yet whose summary and details match.</summary>
    private Task<RunDetails?> NewRunAsync(Func<RunSummary, Task<bool>> summary, Func<RunDetails, bool> details, CancellationToken cancellationToken) =>
        NewRunAsync(model.FullName, summary, details, cancellationToken);

    private async Task<RunDetails?> NewRunAsync(string modelName, Func<RunSummary, Task<bool>> summary, Func<RunDetails, bool> details,
        CancellationToken cancellationToken)
    {
        var runs = await _devops.GetAsync<List<RunSummary>>($"api/runs?model={Uri.EscapeDataString(modelName)}&limit=50", cancellationToken);
        foreach (var run in runs.Where(r => _finished.All(f => f.CorrelationId != r.RunId)).OrderBy(r => r.StartedAt))
        {
            if (!await summary(run))
                continue;
            var found = await _devops.GetAsync<RunDetails>($"api/runs/{run.RunId}", cancellationToken);
            if (details(found))
                return found;
        }
        return null;
    }

    private async Task<int?> ChampionAsync(CancellationToken cancellationToken) =>
        (await _devops.GetAsync<ModelSummary>(ModelPath, cancellationToken)).Aliases.TryGetValue(ModelAliases.Champion, out var v) ? v : null;

    private async Task<RunDetails> FollowAsync(Func<CancellationToken, Task<RunDetails?>> find, string what, CancellationToken cancellationToken,
        TimeSpan? startTimeout = null, Action<RunDetails>? started = null)
    {
        var timeout = startTimeout ?? TimeSpan.FromSeconds(60);
        var run = await WaitAsync(find, r => r is not null, timeout, $"a pipeline run started by {what} (is the orchestrator running and the model configured?)",
            cancellationToken);
        output.WriteLine($"  run {run!.CorrelationId} started");
        started?.Invoke(run);
        using var approving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var approver = ApproveWhenAskedAsync(run.CorrelationId, approving.Token);
        RunDetails finished;
        try
        {
            finished = await new RunFollower(_devops, output).FollowAsync(run.CorrelationId, RunTimeout, cancellationToken);
        }
        finally
        {
            await approving.CancelAsync();
            await approver;
        }
        output.WriteLine($"  trace {finished.TraceId}");
        _finished.Add(finished);
        return finished;
    }

    /// <summary>
    /// When the model requires approval (deploy/demo.sh sets Pipeline:Models:0:RequireApproval), a promotion waits for a person:
    /// the ML engineer who released the code may not decide it (separation of duties), the DevOps engineer approves it.
    /// </summary>
    private async Task ApproveWhenAskedAsync(Guid runId, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var run = await _devops.GetAsync<RunDetails>($"api/runs/{runId}", stop);
                if (run.FinishedAt is not null)
                    return;
                if (run.CurrentState == "AwaitingApproval")
                {
                    await RefusedAsync(_engineer, "demo-ml-engineer", runId, stop);
                    var approved = await _devops.PostAsync<AcceptedMessage>($"api/approvals/{runId}/approve",
                        new { comment = $"v{run.ModelVersion} checked by DevOps" }, stop);
                    output.WriteLine($"  demo-devops approved the promotion of v{run.ModelVersion} (message {approved.MessageId})");
                    return;
                }
                await Task.Delay(500, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run finished (or the demo failed) first.
        }
    }

    private async Task RefusedAsync(ApiClient client, string who, Guid runId, CancellationToken stop)
    {
        var run = await _devops.GetAsync<RunDetails>($"api/runs/{runId}", stop);
        if (run.CodeVersion != ReleasedCode)
            return;
        try
        {
            await client.PostAsync<AcceptedMessage>($"api/approvals/{runId}/approve", new { comment = "my own code" }, stop);
            throw new DemoFailedException($"{who} approved the promotion of code they released: separation of duties is broken");
        }
        catch (CliException refused) when (refused.Message.Contains("separation_of_duties", StringComparison.Ordinal))
        {
            output.WriteLine($"  {who} may not approve it, having released its code: {refused.Message}");
        }
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
        var champion = _finished.LastOrDefault(r => r.CurrentState == "Completed" && r.ModelName == model.FullName)?.ModelVersion;
        output.WriteLine($"DEMO OK: {model} champion v{champion}; {_finished.Count} runs: " +
                         string.Join(", ", _finished.Select(r => $"{r.Environment} {r.Trigger} -> {r.CurrentState}{(r.ModelVersion is { } v ? $" (v{v})" : "")}")) +
                         $"; {_servingSummary}; {_promotionSummary}{(_webhookSummary.Length > 0 ? "; " + _webhookSummary : "")}");
        foreach (var run in _finished)
            output.WriteLine($"  run {run.CorrelationId}: {run.ModelName} {run.Trigger} by {run.Principal}{(run.ApprovedBy is { } by ? $", approved by {by}" : "")}, trace {run.TraceId}");
    }

    private void Step(string title)
    {
        output.WriteLine();
        output.WriteLine($"==> {title}");
    }

    private static string Versions(ServingTraffic traffic) =>
        string.Join(", ", traffic.AnswersByVersion.OrderBy(v => v.Key).Select(v => $"v{v.Key}: {v.Value}"));

    private static string Metric(RunDetails run, string name) =>
        run.ValidationMetrics.TryGetValue(name, out var value) ? value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture) : "?";

    public void Dispose()
    {
        foreach (var owned in _owned)
            owned.Dispose();
    }
}
