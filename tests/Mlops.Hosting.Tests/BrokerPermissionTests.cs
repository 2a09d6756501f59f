using System.Text;
using Mlops.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>
/// Each service's RabbitMQ user (deploy/infra.sh, deploy/rabbitmq-permissions.txt) publishes to the exchanges of the message types
/// on its line and nowhere else: the broker itself refuses the rest (ACCESS_REFUSED, 403), which is why the principal on a
/// PromotionApproved can be believed: only the API, which authenticated the caller, can publish one.
/// </summary>
public sealed class When_a_service_publishes_on_the_broker(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task It_may_publish_the_types_on_its_line()
    {
        await using var connection = await ConnectAsync("training");
        await using var channel = await connection.CreateChannelAsync(Confirmed);

        await channel.ExchangeDeclareAsync("Mlops.Contracts:ModelTrained", ExchangeType.Fanout, durable: true);
        await channel.BasicPublishAsync("Mlops.Contracts:ModelTrained", "", Encoding.UTF8.GetBytes("{}"));

        Assert.True(channel.IsOpen);
    }

    public static TheoryData<string, string> ForeignTypes => new()
    {
        { "training", "PromotionApproved" },
        { "serving", "PromotionApproved" },
        { "orchestrator", "PromotionDenied" },
        { "promotion", "RollbackModel" },
        { "monitoring", "TrainingCodeReleased" },
        { "serving", "ModelPromoted" },
        { "compliance", "ModelPromoted" },
        { "featurerefresh", "ModelTrained" },
    };

    [Theory]
    [MemberData(nameof(ForeignTypes))]
    public async Task It_is_refused_a_type_it_does_not_publish(string service, string type)
    {
        var exchange = "Mlops.Contracts:" + type;
        await DeclareAsAdminAsync(exchange);
        await using var connection = await ConnectAsync(service);
        await using var channel = await connection.CreateChannelAsync(Confirmed);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => channel.BasicPublishAsync(exchange, "", Encoding.UTF8.GetBytes("""{"principal":"mallory"}""")).AsTask());

        AssertAccessRefused(refused, channel);
    }

    [Theory]
    [InlineData("training", "deploy-code-pipeline")]
    [InlineData("serving", "pipeline-admission")]
    [InlineData("monitoring", "promote-model")]
    [InlineData("api", "rollback-model")]
    public async Task It_cannot_send_into_another_services_queue(string service, string queue)
    {
        await DeclareAsAdminAsync(queue);
        await using var connection = await ConnectAsync(service);
        await using var channel = await connection.CreateChannelAsync(Confirmed);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => channel.BasicPublishAsync(queue, "", Encoding.UTF8.GetBytes("{}")).AsTask());

        AssertAccessRefused(refused, channel);
    }

    [Fact]
    public async Task It_cannot_reach_a_queue_through_the_default_exchange()
    {
        await using var connection = await ConnectAsync("training");
        await using var channel = await connection.CreateChannelAsync(Confirmed);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => channel.BasicPublishAsync("", "deploy-code-pipeline", Encoding.UTF8.GetBytes("{}")).AsTask());

        AssertAccessRefused(refused, channel);
    }

    [Fact]
    public void Only_the_api_may_publish_approvals_rollbacks_and_ingestion()
    {
        string[] human = ["PromotionApproved", "PromotionDenied", "RollbackModel", "TrainingCodeReleased", "RawDataLanded", "GroundTruthLanded"];

        var publishers = RabbitMqPermissions.All.Where(p => p.Publishes.Intersect(human).Any()).Select(p => p.Service).ToList();

        Assert.Equal(["api"], publishers);
    }

    private static readonly CreateChannelOptions Confirmed = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private async Task<IConnection> ConnectAsync(string service)
    {
        var (user, password) = TestInfrastructure.RabbitMqUserFor(service);
        Assert.True(user == "mlops_" + service, $"deploy/infra.sh up has not made the RabbitMQ user mlops_{service} on this broker");
        var factory = new ConnectionFactory
        {
            HostName = TestInfrastructure.RabbitMqHost, Port = TestInfrastructure.RabbitMqPort, VirtualHost = environment.VirtualHost,
            UserName = user, Password = password,
        };
        return await factory.CreateConnectionAsync();
    }

    private async Task DeclareAsAdminAsync(string exchange)
    {
        var factory = new ConnectionFactory
        {
            HostName = TestInfrastructure.RabbitMqHost, Port = TestInfrastructure.RabbitMqPort, VirtualHost = environment.VirtualHost,
            UserName = TestInfrastructure.RabbitMqUser, Password = TestInfrastructure.RabbitMqPassword,
        };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
    }

    private static void AssertAccessRefused(Exception refused, IChannel channel)
    {
        var reason = channel.CloseReason ?? (refused as OperationInterruptedException)?.ShutdownReason;
        Assert.True(reason is { ReplyCode: 403 }, $"expected ACCESS_REFUSED (403), got {refused.GetType().Name}: {refused.Message} / {reason}");
    }
}
