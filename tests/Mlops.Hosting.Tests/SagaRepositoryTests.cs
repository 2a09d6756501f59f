using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Sagas;
using Mlops.Hosting.Tests.Messages;
using Mlops.Hosting.Tests.Sagas;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_two_events_for_one_saga_arrive_at_once(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private static readonly Dictionary<string, string?> Concurrent = new()
    {
        ["Messaging:ConcurrentMessageLimit"] = "16",
        ["Messaging:Retry:Limit"] = "20",
        ["Messaging:Retry:Initial"] = "00:00:00.010",
        ["Messaging:Retry:Increment"] = "00:00:00.020",
    };

    private WebApplication? _first;
    private WebApplication? _second;

    public async Task InitializeAsync()
    {
        // Two instances on one saga queue: events of one instance really are handled in parallel, in two processes' worth of hosts.
        var hosts = await Task.WhenAll(
            HostingTestHost.StartAsync(environment, "pairs", Register, Concurrent),
            HostingTestHost.StartAsync(environment, "pairs", Register, Concurrent));
        (_first, _second) = (hosts[0], hosts[1]);
    }

    private static void Register(IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<PairStateMachine, PairState>().PostgresRepository("hosting_tests.pair_saga");

    [Fact]
    public async Task Every_saga_ends_paired_with_no_lost_transition()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => NewId.NextGuid()).ToList();
        var bus = _first!.Services.GetRequiredService<IBus>();

        await Task.WhenAll(ids.Select(id => bus.Publish(new PairStarted { CorrelationId = id })));
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.pair_saga WHERE current_state = 'Waiting' AND correlation_id = ANY(@ids)", new { ids }), n => n == 10, "10 waiting sagas");

        await Task.WhenAll(ids.SelectMany(id => new[]
        {
            bus.Publish(new LeftArrived { CorrelationId = id }),
            _second!.Services.GetRequiredService<IBus>().Publish(new RightArrived { CorrelationId = id }),
        }));

        var rows = await Eventually.WaitAsync(() => environment.Database.QueryAsync<(string State, int Version, string Data)>(
                "SELECT current_state, version, data::text FROM hosting_tests.pair_saga WHERE correlation_id = ANY(@ids)", new { ids }),
            r => r.Count(x => x.State == "Paired") == 10, "10 paired sagas");

        var table = new PostgresSagaTable<PairState>("hosting_tests.pair_saga");
        Assert.All(rows, row =>
        {
            var saga = table.Deserialize(row.Data);
            Assert.True(saga.GotLeft && saga.GotRight, $"saga {saga.CorrelationId} lost a half");
            Assert.Equal(2, saga.Transitions);
            Assert.Equal(3, row.Version);
        });
    }

    public async Task DisposeAsync()
    {
        await _first.StopQuietlyAsync();
        await _second.StopQuietlyAsync();
    }
}

public sealed class When_a_saga_host_restarts(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    private static void Register(IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<PairStateMachine, PairState>().PostgresRepository("hosting_tests.pair_saga");

    [Fact]
    public async Task The_saga_carries_on_where_it_was()
    {
        var id = NewId.NextGuid();
        var before = await HostingTestHost.StartAsync(environment, "pairs", Register);
        await before.Services.GetRequiredService<IBus>().Publish(new PairStarted { CorrelationId = id });
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<int>(
            "SELECT version FROM hosting_tests.pair_saga WHERE correlation_id = @id", new { id }), v => v == 1, "the saga started");
        await before.Services.GetRequiredService<IBus>().Publish(new LeftArrived { CorrelationId = id });
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<int>(
            "SELECT version FROM hosting_tests.pair_saga WHERE correlation_id = @id", new { id }), v => v == 2, "the left half recorded");
        await before.StopQuietlyAsync();

        var after = await HostingTestHost.StartAsync(environment, "pairs", Register);
        try
        {
            await after.Services.GetRequiredService<IBus>().Publish(new RightArrived { CorrelationId = id });
            var state = await Eventually.WaitAsync(() => environment.Database.ScalarAsync<string>(
                "SELECT current_state FROM hosting_tests.pair_saga WHERE correlation_id = @id", new { id }), s => s == "Paired", "the saga paired");
            Assert.Equal("Paired", state);
        }
        finally
        {
            await after.StopQuietlyAsync();
        }
    }
}
