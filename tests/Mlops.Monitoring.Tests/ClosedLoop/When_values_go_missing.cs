using Mlops.Contracts;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_values_go_missing(MonitoringHosts hosts) : IClassFixture<MonitoringHosts>
{
    [Fact]
    public async Task A_null_rate_above_five_percent_in_two_windows_raises_DataQualityViolated_from_monitoring()
    {
        const string model = "dev.ml.churn_nulls";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        var batches = new List<Guid>();
        for (var i = 0; i < 2; i++)
            batches.Add(await hosts.LogBatchAsync(model, ChurnTraffic.Window(seed: 40 + i, Window(i), rows: 1000, chargesMissing: 0.2)));
        await hosts.WaitCountedAsync([.. batches]);

        await hosts.MonitorAsync(model);

        var violation = Assert.Single(await hosts.Events.WaitAsync<DataQualityViolated>(v => v.ModelName == model));
        Assert.Equal(("monitoring", "dev", "monitoring"), (violation.Source, violation.Environment, violation.Principal));
        var text = Assert.Single(violation.Violations);
        Assert.StartsWith("monthly_charges: null_rate 0.", text);
        Assert.Contains("above 0.05 in 2 of the last 2 judged windows of v1", text);
        Assert.Equal(violation.CorrelationId, await hosts.Database.ScalarAsync<Guid>(
            "SELECT id FROM monitoring.alerts WHERE model_name = @model AND kind = 'data_quality' AND subject = 'monthly_charges'", new { model }));
        Assert.Equal(1, await hosts.PublishedAsync<DataQualityViolated>(model));
        Assert.Equal(0, await hosts.PublishedAsync<DriftDetected>(model));
    }
}
