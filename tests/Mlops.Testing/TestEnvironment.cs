using System.Collections.Concurrent;
using MassTransit;
using Mlops.Hosting.Data;
using Npgsql;
using Xunit;

namespace Mlops.Testing;

/// <summary>
/// A database and a RabbitMQ virtual host of their own for one test class (use as a class fixture): every host the class
/// starts talks to the real broker and database, isolated from other classes running in parallel.
/// </summary>
public class TestEnvironment : IAsyncLifetime
{
    private readonly RabbitMqManagement _management = new();
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _dataSources = new();
    private readonly SemaphoreSlim _upstreamLock = new(1, 1);
    private IBusControl? _upstream;

    public TestDatabase Database { get; private set; } = null!;

    public string VirtualHost { get; } = "mlops-test-" + Guid.NewGuid().ToString("N")[..12];

    public RabbitMqManagement Broker => _management;

    public SpanCollector Spans { get; } = new();

    public virtual async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("mlops_test");
        await _management.CreateVirtualHostAsync(VirtualHost);
    }

    /// <summary>
    /// Configuration every test host gets: this environment's database and virtual host, short timings, and the service's
    /// own database role (migrations under the owner's), so a right the service lacks fails its tests as it would in production.
    /// </summary>
    public virtual IDictionary<string, string?> Settings(string serviceName) => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = Database.ConnectionString,
        ["Database:Username"] = TestInfrastructure.RolesEnabled ? TestInfrastructure.RoleFor(serviceName) : null,
        ["Database:MigrationsUsername"] = TestInfrastructure.RolesEnabled ? DatabaseAccessPolicy.OwnerRole : null,
        ["Secrets:Directory"] = TestInfrastructure.SecretsDirectory,
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:ServiceName"] = serviceName,
        ["Messaging:RabbitMq:Host"] = TestInfrastructure.RabbitMqHost,
        ["Messaging:RabbitMq:Port"] = TestInfrastructure.RabbitMqPort.ToString(),
        ["Messaging:RabbitMq:ManagementPort"] = TestInfrastructure.RabbitMqManagementPort.ToString(),
        ["Messaging:RabbitMq:VirtualHost"] = VirtualHost,
        ["Messaging:RabbitMq:Username"] = TestInfrastructure.RabbitMqUserFor(serviceName).User,
        ["Messaging:RabbitMq:Password"] = TestInfrastructure.RabbitMqUserFor(serviceName).Password,
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

    /// <summary>
    /// This environment's database as <paramref name="service"/>'s role would see it: for arranging what that service would
    /// have written (a version "as Training registers it") with exactly that service's rights.
    /// </summary>
    public NpgsqlDataSource DataSourceAs(string service) => _dataSources.GetOrAdd(service, name =>
    {
        if (!TestInfrastructure.RolesEnabled)
            return NpgsqlDataSource.Create(Database.ConnectionString);
        var role = TestInfrastructure.RoleFor(name);
        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Database.ConnectionString)
        {
            Username = role, Password = TestInfrastructure.Secret(role, "Database__Password"),
        }.ConnectionString);
    });

    /// <summary>A database session (not begun) as <paramref name="service"/>'s role; see <see cref="DataSourceAs"/>.</summary>
    public DbSession SessionAs(string service) => new(DataSourceAs(service));

    /// <summary>
    /// Publishes as a producer outside every service, under the tests' own broker user: a message a test injects (a command
    /// "from the orchestrator", an event "from promotion") is then not published by the service under test, whose own user
    /// may publish only its own types (deploy/rabbitmq-permissions.txt).
    /// </summary>
    public async Task PublishAsync<T>(T message, Action<PublishContext<T>>? configure = null)
        where T : class
    {
        var bus = await UpstreamAsync();
        await bus.Publish(message, context => configure?.Invoke(context));
    }

    private async Task<IBusControl> UpstreamAsync()
    {
        await _upstreamLock.WaitAsync();
        try
        {
            if (_upstream is null)
            {
                var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(TestInfrastructure.RabbitMqHost, TestInfrastructure.RabbitMqPort, VirtualHost, host =>
                {
                    host.Username(TestInfrastructure.RabbitMqUser);
                    host.Password(TestInfrastructure.RabbitMqPassword);
                }));
                await bus.StartAsync();
                _upstream = bus;
            }
            return _upstream;
        }
        finally
        {
            _upstreamLock.Release();
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_upstream is not null)
            await _upstream.StopAsync();
        _upstreamLock.Dispose();
        foreach (var dataSource in _dataSources.Values)
            await dataSource.DisposeAsync();
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
