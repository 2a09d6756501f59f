using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_an_operator_replays_dead_letters(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _host;

    public async Task InitializeAsync() =>
        _host = await HostingTestHost.StartAsync(environment, "flaky", bus => bus.AddConsumer<FlakyConsumer>(),
            new Dictionary<string, string?> { ["Messaging:Retry:Limit"] = "1" });

    [Fact]
    public async Task List_show_and_replay_return_the_message_to_its_queue_once()
    {
        // 2 attempts per delivery, 3 deliveries (2 redelivery intervals): the 7th attempt, after the replay, succeeds.
        var flaky = new Flaky { FlakyId = Guid.NewGuid(), FailTimes = 6 };
        await _host!.Services.GetRequiredService<IBus>().Publish(flaky);
        var letter = (await Eventually.WaitAsync(() => environment.Database.DeadLettersAsync("flaky"), found => found.Count == 1, "the dead letter")).Single();

        var list = await CliRunner.RunAsync(environment, "errors", "list", "--queue", "flaky", "--json");
        Assert.True(list.ExitCode == 0, list.Error);
        using (var listed = JsonDocument.Parse(list.Output))
        {
            var entry = Assert.Single(listed.RootElement.EnumerateArray());
            Assert.Equal(letter.Id, entry.GetProperty("id").GetInt64());
            Assert.Contains("broke", entry.GetProperty("reason").GetString());
            Assert.Equal(2, entry.GetProperty("redeliveries").GetInt32());
        }

        var show = await CliRunner.RunAsync(environment, "errors", "show", letter.Id.ToString());
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Contains("Attempt 6", show.Output);
        Assert.Contains(flaky.FlakyId.ToString(), show.Output);

        var replay = await CliRunner.RunAsync(environment, "errors", "replay", letter.Id.ToString(), "--principal", "operator");
        Assert.True(replay.ExitCode == 0, replay.Error);

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.flaky_done WHERE flaky_id = @FlakyId", flaky), n => n == 1, "the replayed message consumed");
        Assert.Equal("operator", await environment.Database.ScalarAsync<string>(
            "SELECT replayed_by FROM messaging.dead_letters WHERE id = @Id AND replayed_at IS NOT NULL", letter));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.dead_letters"));

        var again = await CliRunner.RunAsync(environment, "errors", "replay", letter.Id.ToString());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already replayed", again.Error);
        var empty = await CliRunner.RunAsync(environment, "errors", "list", "--queue", "flaky");
        Assert.Contains("No dead letters.", empty.Output);
    }

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}

public sealed class When_the_cli_runs(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task A_read_only_command_never_migrates_and_migrate_applies_every_service()
    {
        var fresh = await TestDatabase.CreateAsync("mlops_cli");
        try
        {
            var list = await CliRunner.RunAsync(fresh.ConnectionString, environment.VirtualHost, "errors", "list");
            Assert.Equal(1, list.ExitCode);
            Assert.Equal(0, await fresh.ScalarAsync<long>("SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('messaging', 'migrations')"));

            var migrate = await CliRunner.RunAsync(fresh.ConnectionString, environment.VirtualHost, "migrate");
            Assert.True(migrate.ExitCode == 0, migrate.Error);
            var modules = await fresh.QueryAsync<string>("SELECT DISTINCT module FROM migrations.history ORDER BY module");
            Assert.Superset(new HashSet<string> { "messaging", "registry", "raw", "serving", "monitoring", "pipeline" }, modules.ToHashSet());

            var again = await CliRunner.RunAsync(fresh.ConnectionString, environment.VirtualHost, "migrate");
            Assert.Contains("up to date", again.Output);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_publishing_command_returns_once_the_broker_confirmed_it()
    {
        var migrate = await CliRunner.RunAsync(environment, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Error);

        // request-run only publishes; rollback would also wait for a promotion service to act on it.
        var request = await CliRunner.RunAsync(environment, "request-run", "--model", "dev.ml.churn", "--reason", "cli test");

        Assert.True(request.ExitCode == 0, request.Error);
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer LIKE 'mlops-cli-%' AND message_type LIKE '%PipelineRequested%' AND delivered_at IS NOT NULL"));
    }

    [Fact]
    public async Task A_publish_that_is_not_confirmed_is_withdrawn_and_land_data_removes_its_batch()
    {
        var migrate = await CliRunner.RunAsync(environment, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Error);
        // Every message is "too large" for this broker: the dispatcher parks it, so the broker never confirms it.
        var refusing = new Dictionary<string, string> { ["Messaging__Outbox__MaxMessageBytes"] = "10" };

        var rollback = await CliRunner.RunAsync(environment.Database.ConnectionString, environment.VirtualHost, refusing,
            "rollback", "--model", "dev.ml.churn", "--reason", "cli test");
        var land = await CliRunner.RunAsync(environment.Database.ConnectionString, environment.VirtualHost, refusing,
            "land-data", "--rows", "20");

        Assert.Equal(1, rollback.ExitCode);
        Assert.Contains("withdrawn: nothing will be sent later", rollback.Error);
        Assert.Contains("larger than 10 bytes", rollback.Error);
        Assert.Equal(1, land.ExitCode);
        Assert.Contains("nothing landed", land.Error);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE producer LIKE 'mlops-cli-%' AND delivered_at IS NULL"));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM raw.batches"));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM raw.churn_customers"));
    }

    [Fact]
    public async Task A_publishing_command_that_cannot_reach_the_broker_fails_and_leaves_nothing_to_send_later()
    {
        var migrate = await CliRunner.RunAsync(environment, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.Error);

        var rollback = await CliRunner.RunAsync(environment.Database.ConnectionString, "mlops-test-no-such-vhost-" + Guid.NewGuid().ToString("N")[..8],
            "rollback", "--model", "dev.ml.churn", "--reason", "cli test");

        Assert.Equal(1, rollback.ExitCode);
        Assert.Contains("RabbitMQ", rollback.Error);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer LIKE 'mlops-cli-%' AND delivered_at IS NULL"));
    }
}
