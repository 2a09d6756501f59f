using Mlops.Contracts;
using Mlops.Hosting.Telemetry;
using Mlops.Testing;
using Xunit;

namespace Mlops.Compliance.Tests;

public sealed class When_a_version_meets_every_rule(ComplianceHosts hosts) : IClassFixture<ComplianceHosts>
{
    [Fact]
    public async Task It_passes_and_every_rule_is_recorded_on_the_version()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.Enforced, new VersionSpec());
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, TestModels.Enforced, version);

        var passed = (await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("enforced", passed.Mode);
        Assert.Equal(version, passed.Version);
        Assert.All(passed.Results, r => Assert.True(r.Passed, $"{r.Rule}: {r.Detail}"));
        Assert.Equal(
            ["description", "lineage:code_version", "lineage:feature_version", "lineage:raw_batches", "lineage:training_run", "metric_floor:auc",
             "required_tag:gdpr", "required_tag:pii", "signature"],
            passed.Results.Select(r => r.Rule).Order());
        Assert.Contains(passed.Results, r => r.Rule == "description" && r.Detail == "the registered model has a description");
        Assert.Empty(hosts.Replies.Of<ComplianceCheckFailed>(m => m.CorrelationId == runId));

        var tags = await hosts.TagsAsync(TestModels.Enforced, version);
        Assert.Equal("passed", tags["compliance.status"]);
        Assert.Equal("enforced", tags["compliance.mode"]);
        Assert.Equal("pass", tags["compliance.rule.required_tag:pii"]);
        Assert.Equal("pass", tags["compliance.rule.metric_floor:auc"]);
        Assert.Equal("pass", tags["compliance.rule.lineage:raw_batches"]);
        Assert.True(DateTimeOffset.TryParse(tags["compliance.checked_at"], out _));
        Assert.Equal("ready", await hosts.StatusAsync(TestModels.Enforced, version));

        var span = await Eventually.WaitAsync(() => Task.FromResult(hosts.Spans.Spans.FirstOrDefault(s =>
            s.OperationName == "check compliance" && Equals(s.GetTagItem(MlopsTelemetry.RunIdTag), runId.ToString()))), s => s is not null, "the check compliance span");
        Assert.Equal(TestModels.Enforced, span!.GetTagItem(MlopsTelemetry.ModelTag));
        Assert.Equal(version, span.GetTagItem(MlopsTelemetry.ModelVersionTag));
    }

    [Fact]
    public async Task A_check_sent_again_passes_again_and_rewrites_nothing()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.Enforced, new VersionSpec());
        var runId = Guid.NewGuid();
        await hosts.CheckAsync(runId, TestModels.Enforced, version);
        await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId);
        var first = await TagRowsAsync(version);

        await hosts.CheckAsync(runId, TestModels.Enforced, version);

        var replies = await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId, count: 2);
        Assert.Equal(replies[0].Results, replies[1].Results);
        Assert.Equal(first, await TagRowsAsync(version));
    }

    private async Task<IReadOnlyList<(string Key, string Value, DateTime UpdatedAt)>> TagRowsAsync(int version) =>
        await hosts.Database.QueryAsync<(string, string, DateTime)>(
            "SELECT key, value, updated_at FROM registry.version_tags WHERE model_name = @model AND version = @version ORDER BY key",
            new { model = TestModels.Enforced, version });
}
