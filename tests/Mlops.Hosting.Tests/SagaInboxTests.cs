using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Sagas;
using Mlops.Hosting.Telemetry;
using Mlops.Hosting.Tests.Messages;
using Mlops.Hosting.Tests.Sagas;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>
/// The Postgres saga repository takes the inbox row to the server with its load (one round trip): a message the saga already
/// processed must still be skipped before any behaviour runs, whether the copy comes later or at the same moment.
/// </summary>
public sealed class When_a_saga_gets_a_message_twice(TestEnvironment environment) : IClassFixture<TestEnvironment>, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _duplicates = new();

    private static void Register(IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<PairStateMachine, PairState>().PostgresRepository("hosting_tests.pair_saga");

    [Fact]
    public async Task The_copy_is_skipped_and_the_saga_moves_once()
    {
        ListenForDuplicates();
        var id = NewId.NextGuid();
        var started = NewId.NextGuid();
        var left = NewId.NextGuid();
        var host = await HostingTestHost.StartAsync(environment, "pairs", Register);
        try
        {
            var bus = host.Services.GetRequiredService<IBus>();
            await bus.Publish(new PairStarted { CorrelationId = id }, context => context.MessageId = started);
            await Eventually.WaitAsync(() => VersionOf(id), v => v == 1, "the saga started");

            // A later copy of the message that created the saga: processed again, it would be an event the state does not accept.
            await bus.Publish(new PairStarted { CorrelationId = id }, context => context.MessageId = started);
            await Eventually.WaitAsync(() => Task.FromResult(_duplicates.Count(t => t == typeof(PairStarted).FullName)), n => n == 1, "the copy skipped");

            // Two copies at once: one waits on the other's inbox row, then finds it there.
            await Task.WhenAll(
                bus.Publish(new LeftArrived { CorrelationId = id }, context => context.MessageId = left),
                bus.Publish(new LeftArrived { CorrelationId = id }, context => context.MessageId = left));
            await Eventually.WaitAsync(() => Task.FromResult(_duplicates.Count(t => t == typeof(LeftArrived).FullName)), n => n == 1, "one copy skipped");

            var (version, data) = await environment.Database.QueryAsync<(int Version, string Data)>(
                "SELECT version, data::text FROM hosting_tests.pair_saga WHERE correlation_id = @id", new { id }).ContinueWith(r => r.Result.Single());
            var saga = new PostgresSagaTable<PairState>("hosting_tests.pair_saga").Deserialize(data);
            Assert.Equal(2, version);
            Assert.Equal(1, saga.Transitions);
            Assert.True(saga.GotLeft);
            Assert.Equal(2, await environment.Database.ScalarAsync<long>(
                "SELECT count(*) FROM messaging.inbox WHERE message_id = ANY(@ids)", new { ids = new[] { started, left } }));
            Assert.Equal(0, await environment.Database.ScalarAsync<long>(
                "SELECT count(*) FROM messaging.dead_letters WHERE message_id = ANY(@ids)", new { ids = new[] { started, left } }));
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    private Task<int> VersionOf(Guid id) =>
        environment.Database.ScalarAsync<int>("SELECT version FROM hosting_tests.pair_saga WHERE correlation_id = @id", new { id });

    /// <summary>Inbox duplicates of this saga's consumer, by message type (the counter is process-wide, the tags tell whose).</summary>
    private void ListenForDuplicates()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MlopsTelemetry.Name && instrument.Name == "mlops.inbox.duplicates")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? consumer = null, type = null;
            foreach (var tag in tags)
            {
                if (tag.Key == MlopsTelemetry.ConsumerTag)
                    consumer = tag.Value as string;
                else if (tag.Key == MlopsTelemetry.MessageTypeTag)
                    type = tag.Value as string;
            }
            if (consumer?.EndsWith("/" + typeof(PairState).FullName, StringComparison.Ordinal) == true && type is not null)
                _duplicates.Enqueue(type);
        });
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();
}
