using Mlops.Contracts;
using Mlops.Monitoring.Drift;
using Mlops.Testing;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_a_feature_drifts(MonitoringHosts hosts) : IClassFixture<MonitoringHosts>
{
    /// <summary>Two training deviations: far beyond the PSI threshold of 0.2 on any window of a thousand rows.</summary>
    private const double Drifted = 12;

    [Fact]
    public async Task Drift_in_two_of_the_last_five_windows_raises_exactly_one_DriftDetected_for_that_feature()
    {
        const string model = "dev.ml.churn_drift";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        await LogWindowsAsync(model, 0, [0, 0, 0, 0, Drifted]);

        await hosts.MonitorAsync(model);
        Assert.Equal(0, await hosts.PublishedAsync<DriftDetected>(model));

        await LogWindowsAsync(model, 5, [Drifted]);
        await hosts.MonitorAsync(model);

        var drift = Assert.Single(await hosts.Events.WaitAsync<DriftDetected>(d => d.ModelName == model));
        Assert.Equal(("tenure", DriftMetric.Psi, 1, 0.2), (drift.Feature, drift.Metric, drift.ModelVersion, drift.Threshold));
        Assert.True(drift.Value > 0.2, $"PSI {drift.Value}");
        Assert.Equal((new DateTimeOffset(Window(5).Start), new DateTimeOffset(Window(5).End)), (drift.WindowStart, drift.WindowEnd));
        Assert.Equal((2, 5), (drift.WindowsBreached, drift.WindowsConsidered));
        Assert.Equal(("dev", "monitoring"), (drift.Environment, drift.Principal));

        await hosts.MonitorAsync(model);
        Assert.Equal(1, await hosts.PublishedAsync<DriftDetected>(model));
        Assert.Single(hosts.Events.Of<DriftDetected>(d => d.ModelName == model));
        Assert.Equal(drift.CorrelationId, await hosts.Database.ScalarAsync<Guid>(
            "SELECT id FROM monitoring.alerts WHERE model_name = @model AND closed_at IS NULL", new { model }));
    }

    [Fact]
    public async Task Every_window_stores_every_metric_with_its_threshold_and_verdict()
    {
        const string model = "dev.ml.churn_results";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        var windows = await LogWindowsAsync(model, 10, [0, Drifted]);

        await hosts.MonitorAsync(model);

        var results = await hosts.ResultsAsync(model);
        // 7 metrics for each numeric feature and the prediction, 4 for the categorical feature, accuracy, auc and latency.
        Assert.Equal([28, 28], results.GroupBy(r => r.WindowStart).Select(g => g.Count()));
        StoredResultRow Result(int window, string subject, string metric) =>
            results.Single(r => r.WindowStart == Window(window).Start && r.Subject == subject && r.Metric == metric);

        Assert.Equal(("ok", 0.2), (Result(10, "tenure", "psi").Status, Result(10, "tenure", "psi").Threshold));
        Assert.Equal(("breached", true), (Result(11, "tenure", "psi").Status, Result(11, "tenure", "psi").Breached));
        Assert.All(results.Where(r => r.Subject != "tenure"), r => Assert.False(r.Breached, $"{r.Subject} {r.Metric} breached: {r.Reason}"));

        var exactKs = Result(11, "tenure", "ks");
        Assert.Equal((KolmogorovSmirnov.ExactMethod, 1000L, "measured"), (exactKs.Method, exactKs.SampleSize, exactKs.Status));
        Assert.True(exactKs.PValue < 1e-10, $"p-value {exactKs.PValue}");
        Assert.Equal(("ok", 0.10), (Result(10, "prediction", "tvd").Status, Result(10, "prediction", "tvd").Threshold));
        Assert.Equal(("ok", 0.05, 0.0), (Result(10, "monthly_charges", "null_rate").Status, Result(10, "monthly_charges", "null_rate").Threshold,
            Result(10, "monthly_charges", "null_rate").Value));

        var accuracy = Result(10, "model", "accuracy");
        Assert.Equal(("not_computable", ChurnTraffic.BaselineAccuracy, "the window has no labelled rows"), (accuracy.Status, accuracy.Baseline, accuracy.Reason));

        var latency = Result(10, "model", "latency_p99");
        Assert.Equal(LatencyPercentile.P99([.. windows[0].Select(r => r.LatencyMilliseconds)]).Value, latency.Value!.Value, 1e-9);
        Assert.Equal(("ok", 200.0, 1000L), (latency.Status, latency.Threshold, latency.SampleSize));
    }

    [Fact]
    public async Task The_latest_window_s_drift_per_feature_is_a_gauge_of_the_monitoring_host()
    {
        const string model = "dev.ml.churn_measured";
        using var meters = new HostMeters(hosts.Services, "mlops.monitoring.value");
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        await LogWindowsAsync(model, 40, [0, Drifted]);

        await hosts.MonitorAsync(model);

        var results = await hosts.ResultsAsync(model);
        var latest = results.Where(r => r.WindowStart == Window(41).Start && r.Value is not null).ToList();
        meters.Observe();
        double Gauge(string subject, string metric) => Assert.Single(meters.Of("mlops.monitoring.value", ("mlops.model", model),
            ("mlops.model_version", 1), ("mlops.subject", subject), ("mlops.metric", metric)));
        Assert.Equal(latest.Single(r => r is { Subject: "tenure", Metric: "psi" }).Value!.Value, Gauge("tenure", "psi"));
        Assert.True(Gauge("tenure", "psi") > 0.2);
        Assert.All(latest, r => Assert.Equal(r.Value!.Value, Gauge(r.Subject, r.Metric)));
        Assert.Equal(latest.Count, meters.Of("mlops.monitoring.value", ("mlops.model", model)).Count);
    }

    [Fact]
    public async Task A_drift_that_stops_closes_its_alert_and_a_recurrence_alerts_again()
    {
        const string model = "dev.ml.churn_recurring";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        await LogWindowsAsync(model, 20, [Drifted, Drifted, 0, Drifted]);

        await hosts.MonitorAsync(model);

        var drifts = await hosts.Events.WaitAsync<DriftDetected>(d => d.ModelName == model, count: 2);
        Assert.Equal([Window(21).Start, Window(23).Start], drifts.Select(d => d.WindowStart.UtcDateTime).Order());
        Assert.Equal(2, await hosts.PublishedAsync<DriftDetected>(model));
        var alerts = await hosts.Database.QueryAsync<(Guid Id, DateTime? ClosedWindow)>(
            "SELECT id, closed_window_start FROM monitoring.alerts WHERE model_name = @model ORDER BY window_start", new { model });
        Assert.Equal([(drifts.Single(d => d.WindowStart.UtcDateTime == Window(21).Start).CorrelationId, (DateTime?)Window(22).Start),
            (drifts.Single(d => d.WindowStart.UtcDateTime == Window(23).Start).CorrelationId, null)], alerts);
    }

    [Fact]
    public async Task A_window_with_fewer_rows_than_the_minimum_is_not_judged()
    {
        const string model = "dev.ml.churn_small_window";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        await LogWindowsAsync(model, 30, [Drifted]);
        await hosts.WaitCountedAsync(await hosts.LogBatchAsync(model, ChurnTraffic.Window(seed: 31, Window(31), rows: 50, tenureShift: Drifted)));

        await hosts.MonitorAsync(model);

        var small = (await hosts.ResultsAsync(model)).Single(r => r.WindowStart == Window(31).Start && r.Subject == "tenure" && r.Metric == "psi");
        Assert.Equal(("too_few_rows", false, 50L), (small.Status, small.Breached, small.SampleSize));
        Assert.Equal("50 values, fewer than the minimum of 100", small.Reason);
        Assert.Equal(0, await hosts.PublishedAsync<DriftDetected>(model));
    }

    /// <summary>One batch per window from <paramref name="first"/> on, a thousand rows each, tenure shifted as given.</summary>
    private async Task<IReadOnlyList<IReadOnlyList<LoggedPrediction>>> LogWindowsAsync(string model, int first, double[] tenureShifts)
    {
        var windows = tenureShifts.Select((shift, i) =>
            (IReadOnlyList<LoggedPrediction>)[.. ChurnTraffic.Window(seed: 100 * first + i, Window(first + i), rows: 1000, tenureShift: shift)]).ToList();
        var batches = new List<Guid>();
        foreach (var rows in windows)
            batches.Add(await hosts.LogBatchAsync(model, rows));
        await hosts.WaitCountedAsync([.. batches]);
        return windows;
    }
}
