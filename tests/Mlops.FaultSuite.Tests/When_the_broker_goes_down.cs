using System.Diagnostics;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// RabbitMQ goes down in the middle of a burst of 5,000 events (after the first fifth is sent; the rest is committed to the
/// outbox while it is down), for longer than the outbox used to keep trying, and comes back: every event is consumed exactly once (Monitoring keeps one label per event) and the producer's outbox drains.
/// Serving runs too: Monitoring joins labels to its inference log, whose table Serving's migrations create.
/// </summary>
public sealed class When_the_broker_goes_down(ITestOutputHelper output)
{
    private const int Events = 5_000;
    // The outbox used to park a row for good after Messaging:Outbox:MaxAttempts failed sends (20 by default; this suite ran
    // the old code with 3 to keep the outage short). That option is gone: with the backoff shortened to at most half a second
    // and 2 s send timeouts, the row at the head of the outbox is tried more often than that while the broker is down, and
    // must still be delivered. Stopping the node takes seconds of its own, then this long, then starting it again.
    private const int OldGiveUpAttempts = 3;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(6);

    [FaultFact]
    public async Task Every_event_is_consumed_once_and_the_outbox_drains()
    {
        var report = new ScenarioReport("broker outage", output);
        await using var platform = await Platform.StartAsync("broker", ["Serving", "Monitoring"]);
        var settings = new Dictionary<string, string>
        {
            ["Messaging__Outbox__RetryInitial"] = "00:00:00.100",
            ["Messaging__Outbox__RetryMax"] = "00:00:00.500",
            ["Messaging__Outbox__SendTimeout"] = "00:00:02",
            ["Messaging__Outbox__BatchSize"] = "200",
        };
        var labels = Enumerable.Range(0, Events).Select(_ => Guid.NewGuid()).ToList();
        var events = labels.Select(id => new GroundTruthLanded
        {
            ModelName = "dev.ml.churn", Environment = "dev", Principal = "fault-suite",
            Labels = [new GroundTruthLabel { RequestId = id, RowIndex = 0, Label = 1 }],
        }).ToList();

        TimeSpan outage;
        var watch = Stopwatch.StartNew();
        await using (var publisher = await BurstPublisher.StartAsync(platform, settings))
        {
            // A fifth of the burst goes out, then the rest is committed while the broker is down: the dispatcher sends a
            // batch with its confirms in flight together and would have sent all 5,000 in the seconds the node takes to stop.
            await publisher.PublishAsync(events[..(Events / 5)]);
            await Eventually.WaitAsync(() => DeliveredAsync(platform), n => n >= Events / 5, "a fifth of the burst to be sent", TimeSpan.FromSeconds(120));

            var down = Stopwatch.StartNew();
            try
            {
                await SuiteInfrastructure.StopRabbitMqAsync();
                report.Figure("sent_before_the_outage", await DeliveredAsync(platform));
                await publisher.PublishAsync(events[(Events / 5)..]);
                await Task.Delay(Outage);
            }
            finally
            {
                // Whatever happened, the scenarios after this one need their broker back.
                await SuiteInfrastructure.StartRabbitMqAsync();
            }
            outage = down.Elapsed;
            report.Figure("outage_seconds", outage.TotalSeconds);

            var up = Stopwatch.StartNew();
            try
            {
                await Eventually.WaitAsync(async () => (await UndeliveredAsync(platform), await StoredAsync(platform)),
                    s => s.Item1 == 0 && s.Item2 == Events, "the outbox to drain and every label to be stored", TimeSpan.FromSeconds(60));
                report.Recovered(up.Elapsed);
            }
            catch (TimeoutException exception)
            {
                report.Expect(false, exception.Message);
            }
        }

        var stored = await StoredAsync(platform);
        var consumed = await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.inbox WHERE message_type LIKE '%GroundTruthLanded%'");
        var undelivered = await UndeliveredAsync(platform);
        var parked = await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = @Producer AND parked_at IS NOT NULL", new { BurstPublisher.Producer });
        var mostAttempts = await platform.Database.ScalarAsync<long>(
            "SELECT coalesce(max(attempts), 0) FROM messaging.outbox WHERE producer = @Producer", new { BurstPublisher.Producer });
        var redelivered = await platform.Broker.RedeliveredAsync(platform.VirtualHost, "ground-truth-landed");
        report.Figure("events", Events);
        report.Figure("consumed", consumed);
        report.Figure("lost", Events - stored);
        report.Figure("duplicated", Math.Max(0, consumed - Events));
        report.Figure("undelivered_outbox_rows", undelivered);
        report.Figure("parked_outbox_rows", parked);
        report.Figure("most_send_attempts_of_one_row", mostAttempts);
        report.Figure("redeliveries", redelivered);
        report.Figure("seconds", watch.Elapsed.TotalSeconds);

        report.Expect(stored == Events, $"{Events - stored} of {Events} events never reached Monitoring");
        report.Expect(consumed == Events, $"Monitoring's inbox holds {consumed} GroundTruthLanded, expected {Events}");
        report.Expect(undelivered == 0 && parked == 0, $"{undelivered} outbox rows were never delivered, {parked} parked");
        report.Expect(mostAttempts > OldGiveUpAttempts,
            $"the outage was not longer than the old give-up: no row needed more than {mostAttempts} sends (the old limit was {OldGiveUpAttempts})");
        await report.AssertAsync();
    }

    private static Task<long> DeliveredAsync(Platform platform) => platform.Database.ScalarAsync<long>(
        "SELECT count(*) FROM messaging.outbox WHERE producer = @Producer AND delivered_at IS NOT NULL", new { BurstPublisher.Producer });

    private static Task<long> UndeliveredAsync(Platform platform) => platform.Database.ScalarAsync<long>(
        "SELECT count(*) FROM messaging.outbox WHERE producer = @Producer AND delivered_at IS NULL", new { BurstPublisher.Producer });

    private static Task<long> StoredAsync(Platform platform) => platform.Database.ScalarAsync<long>(
        "SELECT count(*) FROM monitoring.ground_truth WHERE label = 1 AND model_name = 'dev.ml.churn'");
}
