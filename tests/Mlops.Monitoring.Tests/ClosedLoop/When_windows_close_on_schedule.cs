using Mlops.Contracts;
using Mlops.Hosting.Telemetry;
using Mlops.Testing;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_windows_close_on_schedule(ScheduledMonitoringHosts hosts) : IClassFixture<ScheduledMonitoringHosts>
{
    [Fact]
    public async Task Two_instances_raise_the_confirmed_drift_once_without_being_asked_and_trace_it_as_compute_drift()
    {
        const string model = "dev.ml.churn_scheduled";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));

        for (var i = 0; i < 3; i++)
            await hosts.LogBatchAsync(model, ChurnTraffic.Window(seed: 70 + i, Window(i), rows: 1000, tenureShift: 12));

        var drift = Assert.Single(await hosts.Events.WaitAsync<DriftDetected>(d => d.ModelName == model));
        Assert.Equal(("tenure", "psi"), (drift.Feature, drift.Metric));
        await Eventually.WaitAsync(
            () => hosts.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.windows WHERE model_name = @model AND evaluated_revision = revision", new { model }),
            evaluated => evaluated == 3, "the three windows evaluated");
        Assert.Equal(1, await hosts.PublishedAsync<DriftDetected>(model));

        var spans = hosts.Spans.Spans.Where(s => s.OperationName == "compute drift" && Equals(s.GetTagItem(MlopsTelemetry.ModelTag), model)).ToList();
        Assert.Equal(3, spans.Count);
        Assert.All(spans, s => Assert.Equal(1, s.GetTagItem(MlopsTelemetry.ModelVersionTag)));
    }
}
