using System.Diagnostics;
using MassTransit;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Orchestrator.Sagas;
using Mlops.Simulator;
using Mlops.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// The deploy-code pipeline across every service, in the order an operator lives it: data lands and v1 becomes champion,
/// new training code challenges it, a non-compliant version is archived.
/// </summary>
public sealed class When_the_deploy_code_pipeline_runs(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private const int Rows = 6_000;
    private static readonly SemaphoreSlim FirstChampion = new(1, 1);

    [Fact]
    public async Task Raw_data_landed_makes_v1_the_champion_in_one_trace_across_every_service()
    {
        var run = await EnsureFirstChampionAsync();

        Assert.Equal("Completed", run.CurrentState);
        Assert.Equal("raw_data_landed", run.Trigger);
        Assert.Equal(1, run.ModelVersion);
        Assert.Equal(1, await Registry.FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion));

        var version = (await Registry.FindVersionAsync(PlatformFixture.Model, 1))!;
        Assert.Equal(run.TraceId, version.TraceId);
        Assert.Equal(run.FeatureVersion, version.FeatureVersion);
        Assert.Equal("passed", version.Tags["compliance.status"]);
        Assert.Equal(1, await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM monitoring.reference_profiles WHERE model_name = @Model AND version = 1", new { Model = PlatformFixture.Model }));

        // One trace: the consume of every step's command, in its own service, and the domain spans, all under the run's trace id.
        var traceId = ActivityTraceId.CreateFromString(run.TraceId!);
        var spans = await Eventually.WaitAsync(() => Task.FromResult(platform.Spans.InTrace(traceId)),
            s => new[] { "compute features", "train", "check compliance", "evaluate" }.All(name => s.Any(a => a.OperationName == name))
                 && new[] { "RefreshFeatures", "TrainModel", "CheckCompliance", "EvaluateChallenger", "PromoteModel", "ModelPromoted" }
                     .All(type => s.Any(a => a.Kind == ActivityKind.Consumer && (a.GetTagItem("messaging.masstransit.message_types") as string ?? "").Contains(type))),
            "every step's spans in the run's trace");
        Assert.All(spans.Where(s => s.Source.Name == "Mlops" && s.GetTagItem("mlops.run_id") is not null),
            s => Assert.Equal(run.CorrelationId.ToString(), s.GetTagItem("mlops.run_id")?.ToString()));
    }

    [Fact]
    public async Task Released_code_is_evaluated_against_the_champion_on_the_same_holdout_and_decided_by_the_rule()
    {
        await EnsureFirstChampionAsync();
        var championBefore = await Registry.FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion);
        var release = Guid.NewGuid();

        await platform.Bus.Publish(new TrainingCodeReleased
        {
            ModelName = PlatformFixture.Model, Environment = "dev", Principal = "alice", CodeVersion = "e2e-stronger-l2", Trainer = "logistic_regression",
            Parameters = new Dictionary<string, string> { ["l2"] = "5", ["seed"] = "42" },
        }, context => context.MessageId = release);
        var run = await platform.FinishedRunAsync(() => platform.RunStartedByMessageAsync(release), "the code release");

        var evaluation = platform.Events.Of<ChallengerEvaluated>().Single(e => e.CorrelationId == run.CorrelationId);
        Assert.Equal(championBefore, evaluation.ChampionVersion);
        Assert.Equal(run.ModelVersion, evaluation.ChallengerVersion);
        Assert.Equal(await HoldoutRowsAsync(run.FeatureVersion!.Value), evaluation.HoldoutRows);
        Assert.NotNull(evaluation.ChampionScore);

        var promoted = evaluation.ChallengerScore >= evaluation.ChampionScore + 0.005;
        Assert.Equal(promoted, evaluation.Promote);
        Assert.Equal(promoted ? "Completed" : "Rejected", run.CurrentState);
        Assert.Equal(promoted ? run.ModelVersion : championBefore, await Registry.FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion));
    }

    [Fact]
    public async Task A_version_failing_an_enforced_rule_is_archived_and_the_champion_is_unchanged()
    {
        await EnsureFirstChampionAsync();
        var championBefore = await Registry.FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion);
        var release = Guid.NewGuid();

        // Age alone barely predicts churn: the version cannot reach the AUC floor of 0.65.
        await platform.Bus.Publish(new TrainingCodeReleased
        {
            ModelName = PlatformFixture.Model, Environment = "dev", Principal = "bob", CodeVersion = "e2e-age-only", Trainer = "logistic_regression",
            Parameters = new Dictionary<string, string> { ["features"] = "age", ["seed"] = "42" },
        }, context => context.MessageId = release);
        var run = await platform.FinishedRunAsync(() => platform.RunStartedByMessageAsync(release), "the age-only release");

        Assert.Equal("Rejected", run.CurrentState);
        Assert.Contains("metric_floor:auc", run.FailureReason);
        var version = (await Registry.FindVersionAsync(PlatformFixture.Model, run.ModelVersion!.Value))!;
        Assert.Equal("archived", version.Status);
        Assert.Equal("failed", version.Tags["compliance.status"]);
        Assert.Equal(championBefore, await Registry.FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion));
        Assert.Contains(platform.Events.Of<ComplianceCheckFailed>(), e => e.CorrelationId == run.CorrelationId
            && e.FailedRules.Any(r => r.Rule == "metric_floor:auc"));
    }

    [Fact]
    public async Task Every_service_audits_its_part_of_the_run_once_and_the_chain_verifies()
    {
        var run = await EnsureFirstChampionAsync();
        var runResource = "run:" + run.CorrelationId;
        var v1 = $"model:{PlatformFixture.Model}@1";

        var entries = await Eventually.WaitAsync(() => platform.Database.QueryAsync<(string Action, string Resource, string Outcome, string Principal)>(
                "SELECT action, resource, outcome, principal FROM audit.entries WHERE resource IN (@runResource, @v1) ORDER BY seq", new { runResource, v1 }),
            e => e.Any(x => x.Action == "run.finished") && e.Any(x => x.Action == "reference_profile.captured"), "the run's audit entries");

        // One entry per action, each from the service that did it, all under the run's principal.
        string[] expected =
        [
            "alias.set", "challenger.evaluated", "compliance.checked", "model_version.registered", "pipeline.triggered", "reference_profile.captured",
            "run.finished", "run.started", "training.finished",
        ];
        Assert.Equal(expected, entries.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal(("succeeded", "e2e-upstream"), (e.Outcome, e.Principal)));
        Assert.Equal(1, await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'features.refreshed' AND request_id = @id", new { id = run.CorrelationId.ToString() }));

        await using var dataSource = Npgsql.NpgsqlDataSource.Create(platform.Database.ConnectionString);
        var verdict = await new AuditVerifier(dataSource).VerifyAsync(CancellationToken.None);
        Assert.True(verdict.Intact, verdict.Message);
    }

    [Fact]
    public async Task A_redelivered_message_appends_no_second_audit_entry()
    {
        await EnsureFirstChampionAsync();
        object[] messages =
        [
            new CheckCompliance { CorrelationId = Guid.NewGuid(), ModelName = PlatformFixture.Model, Environment = "dev", Principal = "auditor", Version = 99 },
            new MonitorModel { ModelName = PlatformFixture.Model, Environment = "dev", Principal = "auditor" },
            new GroundTruthLanded { ModelName = PlatformFixture.Model, Environment = "dev", Principal = "auditor" },
            new PromoteModel { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.nosuch", Environment = "dev", Principal = "auditor", Version = 1 },
            new RollbackModel { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.nosuch", Environment = "dev", Principal = "auditor" },
            new EvaluateChallenger { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.nosuch", Environment = "dev", Principal = "auditor", Version = 1 },
        ];

        var ids = new List<string>();
        foreach (var message in messages)
        {
            var id = Guid.NewGuid();
            ids.Add(id.ToString());
            for (var copy = 0; copy < 2; copy++)
                await platform.Bus.Publish(message, message.GetType(), context => context.MessageId = id);
        }

        // The second copy of each was consumed and skipped by the inbox (its consume span says so).
        await Eventually.WaitAsync(() => Task.FromResult(ids.All(id => platform.Spans.Spans.Any(s =>
                s.Events.Any(e => e.Name == "mlops.inbox.duplicate") && s.TagObjects.Any(t => t.Value?.ToString() == id)))),
            "every message's second copy to be consumed");
        var counts = await platform.Database.QueryAsync<(string RequestId, string Action, long Count)>(
            "SELECT request_id, action, count(*) FROM audit.entries WHERE request_id = ANY(@ids) GROUP BY request_id, action", new { ids = ids.ToArray() });
        Assert.Equal(ids.Order(StringComparer.Ordinal), counts.Select(c => c.RequestId).Order(StringComparer.Ordinal));
        Assert.All(counts, c => Assert.Equal(1, c.Count));
        Assert.Equal(["alias.set", "challenger.evaluated", "compliance.checked", "ground_truth.stored", "model.monitored", "rollback"],
            counts.Select(c => c.Action).Order(StringComparer.Ordinal));
    }

    private ModelRegistry Registry => platform.Upstream.Services.GetRequiredService<ModelRegistry>();

    private async Task<DeployCodePipelineState> EnsureFirstChampionAsync()
    {
        await FirstChampion.WaitAsync();
        try
        {
            var existing = await platform.Database.ScalarAsync<Guid?>(
                "SELECT run_id FROM pipeline.triggers WHERE kind = 'raw_data_landed' AND disposition = 'started' ORDER BY trigger_id LIMIT 1");
            if (existing is { } runId)
                return (await platform.FinishedRunAsync(() => Task.FromResult<Guid?>(runId), "the first batch"));

            var batch = await platform.Lander.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = Rows, Seed = 7 }), "dev", "e2e-upstream");
            return await platform.FinishedRunAsync(() => platform.RunStartedByDetailAsync(batch.ToString()), "the first batch");
        }
        finally
        {
            FirstChampion.Release();
        }
    }

    private async Task<int> HoldoutRowsAsync(int featureVersion)
    {
        var store = platform.Upstream.Services.GetRequiredService<FeatureStore>();
        var table = (await store.FindTableAsync("churn_features"))!;
        var frame = await store.ReadVersionAsync(table, featureVersion);
        return new DatasetSplit(42).Rows(frame.EntityIds, Partition.Holdout).Count(row => !double.IsNaN(frame.Labels![row]));
    }
}
