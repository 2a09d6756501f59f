using Mlops.Contracts;
using Mlops.Testing;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_predictions_are_logged(MonitoringHosts hosts) : IClassFixture<MonitoringHosts>
{
    [Fact]
    public async Task Each_window_holds_exactly_the_counts_and_histograms_of_the_rows_served_in_it()
    {
        const string model = "dev.ml.churn_windows";
        var profile = ChurnTraffic.Reference(model);
        await hosts.Log.SaveReferenceAsync(model, 1, profile);
        await hosts.Log.SaveReferenceAsync(model, 2, profile);
        var early = ChurnTraffic.Window(seed: 1, Window(0), rows: 300, chargesMissing: 0.1).ToList();
        var late = ChurnTraffic.Window(seed: 2, Window(1), rows: 200).ToList();
        var canary = ChurnTraffic.Window(seed: 3, Window(0), rows: 50, version: 2).ToList();
        var shadow = ChurnTraffic.Window(seed: 4, Window(0), rows: 300, version: 2, shadow: true).ToList();

        var batch = await hosts.LogBatchAsync(model, [.. early, .. shadow, .. late, .. canary]);
        await hosts.WaitCountedAsync(batch);

        var windows = await hosts.WindowsAsync(model);
        Assert.Equal(
            [(1, Window(0).Start, 300L), (1, Window(1).Start, 200L), (2, Window(0).Start, 50L)],
            windows.Select(w => (w.Version, w.WindowStart, w.RowCount)));
        WindowAssert.Holds(new ExpectedWindow(profile).Add(early), windows[0]);
        WindowAssert.Holds(new ExpectedWindow(profile).Add(late), windows[1]);
        WindowAssert.Holds(new ExpectedWindow(profile).Add(canary), windows[2]);

        var sample = windows[0].Sample!;
        Assert.Equal(early.Select(r => r.Tenure!.Value).Order(), sample.Numeric["tenure"].Order());
        Assert.Equal(early.Where(r => r.MonthlyCharges is not null).Select(r => r.MonthlyCharges!.Value).Order(), sample.Numeric["monthly_charges"].Order());
        Assert.Equal(early.Select(r => r.Prediction).Order(), sample.Prediction.Order());
    }

    [Fact]
    public async Task Batches_into_one_window_at_the_same_time_lose_no_counts()
    {
        const string model = "dev.ml.churn_concurrent";
        var profile = ChurnTraffic.Reference(model);
        await hosts.Log.SaveReferenceAsync(model, 1, profile);
        var batches = Enumerable.Range(0, 6).Select(i => (Id: Guid.NewGuid(), Rows: ChurnTraffic.Window(seed: 10 + i, Window(2), rows: 400).ToList())).ToList();
        foreach (var (id, rows) in batches)
            await hosts.Log.WriteAsync(id, model, rows);

        await Task.WhenAll(batches.Select(b => hosts.AnnounceAsync(b.Id, model, b.Rows.Count)));
        await hosts.WaitCountedAsync([.. batches.Select(b => b.Id)]);

        var window = Assert.Single(await hosts.WindowsAsync(model));
        var expected = new ExpectedWindow(profile);
        foreach (var (_, rows) in batches)
            expected.Add(rows);
        WindowAssert.Holds(expected, window);
        Assert.Equal(2400, window.RowCount);
    }

    [Fact]
    public async Task A_batch_announced_again_under_a_new_message_id_is_counted_once()
    {
        const string model = "dev.ml.churn_announced_twice";
        var profile = ChurnTraffic.Reference(model);
        await hosts.Log.SaveReferenceAsync(model, 1, profile);
        var rows = ChurnTraffic.Window(seed: 20, Window(3), rows: 250).ToList();
        var batch = await hosts.LogBatchAsync(model, rows);
        await hosts.WaitCountedAsync(batch);

        var again = Guid.NewGuid();
        await hosts.AnnounceAsync(batch, model, rows.Count, again);
        await hosts.WaitConsumedAsync(again);

        var window = Assert.Single(await hosts.WindowsAsync(model));
        WindowAssert.Holds(new ExpectedWindow(profile).Add(rows), window);
        Assert.Equal(1, await hosts.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.processed_batches WHERE batch_id = @batch", new { batch }));
    }

    [Fact]
    public async Task A_window_keeps_its_raw_values_only_until_it_outgrows_the_limit()
    {
        const string model = "dev.ml.churn_raw_limit";
        var profile = ChurnTraffic.Reference(model);
        await hosts.Log.SaveReferenceAsync(model, 1, profile);
        var first = ChurnTraffic.Window(seed: 30, Window(4), rows: RawValueLimit / 2 + 100).ToList();
        var second = ChurnTraffic.Window(seed: 31, Window(4), rows: RawValueLimit / 2 + 100).ToList();

        await hosts.WaitCountedAsync(await hosts.LogBatchAsync(model, first));
        var small = Assert.Single(await hosts.WindowsAsync(model));
        await hosts.WaitCountedAsync(await hosts.LogBatchAsync(model, second));
        var large = Assert.Single(await hosts.WindowsAsync(model));

        Assert.Equal(first.Count, small.Sample!.Numeric["tenure"].Count);
        Assert.Null(large.RawValues);
        WindowAssert.Holds(new ExpectedWindow(profile).Add(first).Add(second), large);
    }

    [Fact]
    public async Task An_announcement_naming_no_valid_model_is_dead_lettered_with_the_reason()
    {
        var batch = Guid.NewGuid();

        await hosts.PublishAsync(new PredictionsLogged { BatchId = batch, ModelName = "churn", Environment = "dev", RowCount = 1 });

        var errors = await Eventually.WaitAsync(() => hosts.Database.DeadLettersAsync("predictions-logged"),
            found => found.Any(m => m.Body.Contains(batch.ToString())), "the announcement in messaging.dead_letters");
        Assert.Contains("not a model name", errors.Single(m => m.Body.Contains(batch.ToString())).Reason);
        Assert.Equal(0, await hosts.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.processed_batches WHERE batch_id = @batch", new { batch }));
    }
}
