using Mlops.Contracts;
using Xunit;

namespace Mlops.Compliance.Tests;

public sealed class When_the_model_is_in_dry_run(ComplianceHosts hosts) : IClassFixture<ComplianceHosts>
{
    [Fact]
    public async Task Broken_rules_are_recorded_but_the_check_passes()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.DryRun, new VersionSpec
        {
            Tags = new Dictionary<string, string> { ["pii"] = "none" },
            Metrics = new Dictionary<string, double> { ["auc"] = 0.5 },
        });
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, TestModels.DryRun, version);

        var passed = (await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("dry_run", passed.Mode);
        Assert.Equal(["metric_floor:auc", "required_tag:gdpr"], passed.Results.Where(r => !r.Passed).Select(r => r.Rule).Order());
        Assert.Contains(passed.Results, r => r.Rule == "required_tag:pii" && r.Passed);

        Assert.Equal("ready", await hosts.StatusAsync(TestModels.DryRun, version));
        var tags = await hosts.TagsAsync(TestModels.DryRun, version);
        Assert.Equal("dry_run_failed", tags["compliance.status"]);
        Assert.Equal("dry_run", tags["compliance.mode"]);
        Assert.Equal("fail: the version has no tag gdpr", tags["compliance.rule.required_tag:gdpr"]);
    }
}
