using System.Diagnostics;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_a_batch_is_very_large(MonitoringHosts hosts) : IClassFixture<MonitoringHosts>
{
    private const int Rows = 300_000;

    [Fact]
    public async Task Its_rows_are_streamed_into_a_window_whose_state_is_the_size_of_its_bins()
    {
        const string model = "dev.ml.churn_large";
        var profile = ChurnTraffic.Reference(model);
        await hosts.Log.SaveReferenceAsync(model, 1, profile);
        // Generated twice rather than held: the test does not keep the rows in memory either.
        IEnumerable<LoggedPrediction> Logged() => ChurnTraffic.Window(seed: 80, Window(0), Rows, chargesMissing: 0.01);
        var batch = Guid.NewGuid();
        await hosts.Log.WriteAsync(batch, model, Logged());

        var watch = Stopwatch.StartNew();
        await hosts.AnnounceAsync(batch, model, Rows);
        await hosts.WaitCountedAsync(batch);
        watch.Stop();

        var window = Assert.Single(await hosts.WindowsAsync(model));
        WindowAssert.Holds(new ExpectedWindow(profile).Add(Logged()), window);
        Assert.Null(window.RawValues);
        Assert.True(window.HistogramBytes < 32 * 1024, $"The window state takes {window.HistogramBytes} bytes for {Rows} rows.");
        Assert.Equal(Rows, await hosts.Database.ScalarAsync<long>("SELECT row_count FROM monitoring.processed_batches WHERE batch_id = @batch", new { batch }));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"Counting {Rows} rows took {watch.Elapsed}.");
    }
}
