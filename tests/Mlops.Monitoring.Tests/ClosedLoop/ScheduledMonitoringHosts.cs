using Microsoft.AspNetCore.Builder;
using Mlops.Testing;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>Two instances of the monitoring service on one database and broker, each evaluating closed windows on its own schedule.</summary>
public sealed class ScheduledMonitoringHosts : MonitoringHosts
{
    private WebApplication? second;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        second = await StartMonitoringAsync();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Monitoring:EvaluateOnSchedule"] = "true";
        settings["Monitoring:EvaluationInterval"] = "00:00:00.200";
    }

    public override async Task DisposeAsync()
    {
        await second.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
