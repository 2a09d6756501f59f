using Mlops.Contracts;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_serving_slows_down(MonitoringHosts hosts) : IClassFixture<MonitoringHosts>
{
    [Fact]
    public async Task A_p99_above_200_ms_in_two_windows_raises_LatencyBreached_once()
    {
        const string model = "dev.ml.churn_slow";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        var batches = new List<Guid>();
        for (var i = 0; i < 3; i++)
            batches.Add(await hosts.LogBatchAsync(model, ChurnTraffic.Window(seed: 60 + i, Window(i), rows: 1000, slowdown: 10)));
        await hosts.WaitCountedAsync([.. batches]);

        await hosts.MonitorAsync(model);

        var breach = Assert.Single(await hosts.Events.WaitAsync<LatencyBreached>(b => b.ModelName == model));
        Assert.Equal(("dev", "monitoring", 1, 200.0), (breach.Environment, breach.Principal, breach.ModelVersion, breach.ThresholdMilliseconds));
        Assert.InRange(breach.P99Milliseconds, 200, 500);
        Assert.Equal((2, 2), (breach.WindowsBreached, breach.WindowsConsidered));
        Assert.Equal(breach.CorrelationId, await hosts.Database.ScalarAsync<Guid>(
            "SELECT id FROM monitoring.alerts WHERE model_name = @model AND kind = 'latency' AND metric = 'latency_p99'", new { model }));
        Assert.Equal(1, await hosts.PublishedAsync<LatencyBreached>(model));
        Assert.Equal(0, await hosts.PublishedAsync<DriftDetected>(model));
    }

    [Fact]
    public async Task A_p99_under_the_threshold_raises_nothing()
    {
        const string model = "dev.ml.churn_fast";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        var batches = new List<Guid>();
        for (var i = 0; i < 3; i++)
            batches.Add(await hosts.LogBatchAsync(model, ChurnTraffic.Window(seed: 70 + i, Window(i), rows: 1000)));
        await hosts.WaitCountedAsync([.. batches]);

        await hosts.MonitorAsync(model);

        await hosts.WaitEvaluatedAsync(model);
        Assert.Equal(0, await hosts.PublishedAsync<LatencyBreached>(model));
        Assert.Equal(0L, await hosts.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.alerts WHERE model_name = @model AND kind = 'latency'", new { model }));
    }
}
