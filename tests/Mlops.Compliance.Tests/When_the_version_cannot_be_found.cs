using Mlops.Contracts;
using Xunit;

namespace Mlops.Compliance.Tests;

public sealed class When_the_version_cannot_be_found(ComplianceHosts hosts) : IClassFixture<ComplianceHosts>
{
    [Fact]
    public async Task The_check_fails_on_version_exists()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.Enforced, new VersionSpec());
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, TestModels.Enforced, version + 1);

        var failed = (await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId)).Single();
        var rule = Assert.Single(failed.FailedRules);
        Assert.Equal("version_exists", rule.Rule);
        Assert.Equal($"{TestModels.Enforced} has no version {version + 1}", rule.Detail);
    }

    [Fact]
    public async Task A_malformed_model_name_fails_with_the_reason()
    {
        var runId = Guid.NewGuid();

        await hosts.CheckAsync(runId, "dev.churn", 1);

        var failed = (await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId)).Single();
        var rule = Assert.Single(failed.FailedRules);
        Assert.Equal("model_name", rule.Rule);
        Assert.Contains("expected catalog.schema.model", rule.Detail);
    }
}
