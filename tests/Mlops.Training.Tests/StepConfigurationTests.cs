using Microsoft.Extensions.Options;
using Mlops.Hosting;
using Mlops.Testing;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_the_step_timings_are_inconsistent(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task The_service_refuses_to_start_and_names_the_settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Steps:LeaseDuration"] = "00:00:10",
            ["Steps:HeartbeatInterval"] = "00:00:08",
            ["Steps:FaultInjection:ExtraWorkDuration"] = "-00:00:01",
        };

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(environment, "training", b =>
        {
            b.AddMlopsDefaults();
            b.AddTrainingService();
        }, settings));

        Assert.Contains(failure.Failures, f => f.Contains("Steps:HeartbeatInterval (00:00:08) must be positive and at most half of Steps:LeaseDuration"));
        Assert.Contains(failure.Failures, f => f.Contains("Steps:FaultInjection:ExtraWorkDuration cannot be negative"));
    }
}
