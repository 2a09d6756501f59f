using Microsoft.Extensions.Options;
using Mlops.Hosting;
using Mlops.Testing;
using Xunit;

namespace Mlops.Compliance.Tests;

public sealed class When_the_configuration_is_invalid(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task The_service_refuses_to_start_and_says_why()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Compliance:Mode"] = "sometimes",
            ["Compliance:MetricFloors:auc"] = "1.5",
            ["Compliance:Models:churn:Mode"] = "enforced",
        };

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(environment, "compliance", b =>
        {
            b.AddMlopsDefaults();
            b.AddComplianceService();
        }, settings));

        Assert.Contains(failure.Failures, f => f.Contains("Compliance:Mode is 'sometimes'"));
        Assert.Contains(failure.Failures, f => f.Contains("Compliance:MetricFloors:auc is 1.5"));
        Assert.Contains(failure.Failures, f => f.Contains("'churn' is not a model name"));
    }
}
