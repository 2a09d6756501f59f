using Mlops.Contracts;
using Xunit;

namespace Mlops.Compliance.Tests;

public sealed class When_compliance_is_disabled_for_the_model(ComplianceHosts hosts) : IClassFixture<ComplianceHosts>
{
    [Fact]
    public async Task The_check_passes_without_running_a_rule()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.Disabled, new VersionSpec
        {
            Tags = new Dictionary<string, string>(),
            Metrics = new Dictionary<string, double> { ["auc"] = 0.5 },
            RawBatchRegistered = false,
        });
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, TestModels.Disabled, version);

        var passed = (await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("disabled", passed.Mode);
        Assert.Empty(passed.Results);
        Assert.Equal("ready", await hosts.StatusAsync(TestModels.Disabled, version));
        var tags = await hosts.TagsAsync(TestModels.Disabled, version);
        Assert.Equal("disabled", tags["compliance.status"]);
        Assert.DoesNotContain(tags.Keys, key => key.StartsWith("compliance.rule.", StringComparison.Ordinal));
    }
}
