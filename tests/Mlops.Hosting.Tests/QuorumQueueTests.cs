using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>
/// Messaging:RabbitMq:QuorumQueues, the switch the Kubernetes manifests turn on: every receive endpoint's queue is declared
/// on the real broker as a quorum queue, and messages still flow through them (consume, outbox reply, consume). Off, the
/// queues stay classic.
/// </summary>
public sealed class When_quorum_queues_are_switched_on(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    private static readonly Dictionary<string, string?> Quorum = new() { ["Messaging:RabbitMq:QuorumQueues"] = "true" };

    [Fact]
    public async Task Every_endpoint_queue_is_a_quorum_queue_and_messages_flow_through_them()
    {
        var pinger = await HostingTestHost.StartAsync(environment, "pinger", bus => bus.AddConsumer<PongConsumer>(), Quorum);
        var ponger = await HostingTestHost.StartAsync(environment, "ponger", bus => bus.AddConsumer<PingConsumer>(), Quorum);
        try
        {
            var pingId = Guid.NewGuid();
            await pinger.Services.GetRequiredService<IBus>().Publish(new Ping { PingId = pingId });
            await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
                "SELECT count(*) FROM hosting_tests.pongs WHERE ping_id = @pingId", new { pingId }), n => n == 1, "the pong, through quorum queues");

            Assert.Equal("quorum", await QueueTypeAsync(environment.VirtualHost, "ping"));
            Assert.Equal("quorum", await QueueTypeAsync(environment.VirtualHost, "pong"));
        }
        finally
        {
            await pinger.StopQuietlyAsync();
            await ponger.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task Without_the_switch_the_queues_stay_classic()
    {
        var other = new TestEnvironment();
        await other.InitializeAsync();
        try
        {
            var ponger = await HostingTestHost.StartAsync(other, "ponger", bus => bus.AddConsumer<PingConsumer>());
            await ponger.StopQuietlyAsync();
            Assert.Equal("classic", await QueueTypeAsync(other.VirtualHost, "ping"));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }

    private static async Task<string?> QueueTypeAsync(string virtualHost, string queue)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{TestInfrastructure.RabbitMqHost}:{TestInfrastructure.RabbitMqManagementPort}/api/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestInfrastructure.RabbitMqUser}:{TestInfrastructure.RabbitMqPassword}")));
        using var document = JsonDocument.Parse(await http.GetStringAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}"));
        return document.RootElement.GetProperty("type").GetString();
    }
}
