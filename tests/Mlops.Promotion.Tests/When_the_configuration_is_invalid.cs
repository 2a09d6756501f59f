using Microsoft.Extensions.Options;
using Mlops.Hosting;
using Mlops.Testing;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_the_configuration_is_invalid(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task The_service_refuses_to_start_and_says_why()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Promotion:Metric"] = "rmse",
            ["Promotion:MinimumDelta"] = "-0.1",
            ["Promotion:Models:prod.ml.churn:BaselineThreshold"] = "NaN",
        };

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(environment, "promotion", b =>
        {
            b.AddMlopsDefaults();
            b.AddPromotionService();
        }, settings));

        Assert.Contains(failure.Failures, f => f.Contains("Promotion:Metric is 'rmse'"));
        Assert.Contains(failure.Failures, f => f.Contains("Promotion:MinimumDelta is -0.1"));
        Assert.Contains(failure.Failures, f => f.Contains("Promotion:Models:prod.ml.churn:BaselineThreshold is NaN"));
    }
}
