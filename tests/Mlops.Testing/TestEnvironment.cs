using Xunit;

namespace Mlops.Testing;

/// <summary>
/// A database and a RabbitMQ virtual host of their own for one test class (use as a class fixture): every host the class
/// starts talks to the real broker and database, isolated from other classes running in parallel.
/// </summary>
public class TestEnvironment : IAsyncLifetime
{
    private readonly RabbitMqManagement _management = new();

    public TestDatabase Database { get; private set; } = null!;

    public string VirtualHost { get; } = "mlops-test-" + Guid.NewGuid().ToString("N")[..12];

    public RabbitMqManagement Broker => _management;

    public SpanCollector Spans { get; } = new();

    public virtual async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("mlops_test");
        await _management.CreateVirtualHostAsync(VirtualHost);
    }

    /// <summary>Configuration every test host gets: this environment's database and virtual host, short timings.</summary>
    public virtual IDictionary<string, string?> Settings(string serviceName) => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = Database.ConnectionString,
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:ServiceName"] = serviceName,
        ["Messaging:RabbitMq:Host"] = TestInfrastructure.RabbitMqHost,
        ["Messaging:RabbitMq:Port"] = TestInfrastructure.RabbitMqPort.ToString(),
        ["Messaging:RabbitMq:ManagementPort"] = TestInfrastructure.RabbitMqManagementPort.ToString(),
        ["Messaging:RabbitMq:VirtualHost"] = VirtualHost,
        ["Messaging:RabbitMq:Username"] = TestInfrastructure.RabbitMqUser,
        ["Messaging:RabbitMq:Password"] = TestInfrastructure.RabbitMqPassword,
        ["Messaging:Retry:Limit"] = "5",
        ["Messaging:Retry:Initial"] = "00:00:00.050",
        ["Messaging:Retry:Increment"] = "00:00:00.100",
        ["Messaging:Outbox:PollInterval"] = "00:00:00.200",
        ["Messaging:Redelivery:Intervals"] = "00:00:00.200, 00:00:00.500",
        ["Telemetry:ServiceName"] = serviceName,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Mlops"] = "Information",
        ["Logging:LogLevel:MassTransit"] = "Warning",
    };

    public virtual async Task DisposeAsync()
    {
        try
        {
            await _management.DeleteVirtualHostAsync(VirtualHost);
        }
        catch (HttpRequestException)
        {
            // Left behind: unique names, no effect on other tests.
        }
        await Database.DisposeAsync();
        _management.Dispose();
    }
}
