using Mlops.Contracts;
using Xunit;

namespace Mlops.Compliance.Tests;

public sealed class When_an_enforced_version_breaks_rules(ComplianceHosts hosts) : IClassFixture<ComplianceHosts>
{
    private static readonly VersionSpec Broken = new()
    {
        Tags = new Dictionary<string, string> { ["gdpr"] = "reviewed" },
        ModelDescription = null,
        Metrics = new Dictionary<string, double> { ["auc"] = 0.61 },
        RawBatchRegistered = false,
        TrainingRunTracked = false,
    };

    [Fact]
    public async Task It_is_archived_and_the_failure_lists_every_broken_rule()
    {
        const string model = "dev.ml.churn_broken";
        var version = await hosts.Arrange.RegisterAsync(model, Broken);
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, model, version);

        var failed = (await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("enforced", failed.Mode);
        Assert.Equal(
            ["description", "lineage:raw_batches", "lineage:training_run", "metric_floor:auc", "required_tag:pii"],
            failed.FailedRules.Select(r => r.Rule).Order());
        Assert.All(failed.FailedRules, r => Assert.False(r.Passed));
        Assert.Equal("auc 0.61 is below the floor 0.65", Detail(failed, "metric_floor:auc"));
        Assert.Equal("the version has no tag pii", Detail(failed, "required_tag:pii"));
        Assert.StartsWith("raw batches not in raw.batches: ", Detail(failed, "lineage:raw_batches"));
        Assert.Empty(hosts.Replies.Of<ComplianceCheckPassed>(m => m.CorrelationId == runId));

        Assert.Equal("archived", await hosts.StatusAsync(model, version));
        var tags = await hosts.TagsAsync(model, version);
        Assert.Equal("failed", tags["compliance.status"]);
        Assert.Equal("fail: the version has no tag pii", tags["compliance.rule.required_tag:pii"]);
        Assert.Equal("fail: auc 0.61 is below the floor 0.65", tags["compliance.rule.metric_floor:auc"]);
        Assert.Equal("pass", tags["compliance.rule.required_tag:gdpr"]);
    }

    [Fact]
    public async Task A_check_sent_again_fails_the_same_way_and_changes_nothing_twice()
    {
        const string model = "dev.ml.churn_resent";
        var version = await hosts.Arrange.RegisterAsync(model, Broken);
        var runId = Guid.NewGuid();
        await hosts.CheckAsync(runId, model, version);
        await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId);
        var tagsBefore = await TagRowsAsync(model, version);

        await hosts.CheckAsync(runId, model, version);

        var replies = await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId, count: 2);
        Assert.Equal(replies[0].FailedRules, replies[1].FailedRules);
        Assert.Equal("archived", await hosts.StatusAsync(model, version));
        Assert.Equal(tagsBefore, await TagRowsAsync(model, version));
    }

    [Fact]
    public async Task A_model_override_raises_the_floor_and_replaces_the_required_tags()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.Strict, new VersionSpec());
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, TestModels.Strict, version);

        var failed = (await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(["metric_floor:auc", "required_tag:owner"], failed.FailedRules.Select(r => r.Rule).Order());
        Assert.Equal("auc 0.82 is below the floor 0.9", Detail(failed, "metric_floor:auc"));
        var tags = await hosts.TagsAsync(TestModels.Strict, version);
        Assert.DoesNotContain("compliance.rule.required_tag:pii", tags.Keys);
        Assert.Equal("archived", await hosts.StatusAsync(TestModels.Strict, version));
    }

    private static string Detail(ComplianceCheckFailed failed, string rule) => failed.FailedRules.Single(r => r.Rule == rule).Detail;

    private async Task<IReadOnlyList<(string Key, string Value, DateTime UpdatedAt)>> TagRowsAsync(string model, int version) =>
        await hosts.Database.QueryAsync<(string, string, DateTime)>(
            "SELECT key, value, updated_at FROM registry.version_tags WHERE model_name = @model AND version = @version ORDER BY key", new { model, version });
}
