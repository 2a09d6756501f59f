using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Mlops.Testing;

/// <summary>
/// RabbitMQ (with management) and PostgreSQL started through Testcontainers, once per test process, when
/// MLOPS_TEST_INFRA=containers and a Docker engine answers: the same fixtures and tests then run without deploy/infra.sh.
/// Testcontainers' resource reaper removes the containers when the process ends.
/// </summary>
public sealed class TestContainers
{
    public const string Variable = "MLOPS_TEST_INFRA";

    private const string User = "mlops";

    // Test credentials of throwaway containers, reachable only through ports Docker maps on this machine.
    private const string Password = "mlops-test";

    private TestContainers(PostgreSqlContainer postgres, RabbitMqContainer rabbitMq)
    {
        PostgresConnectionString = postgres.GetConnectionString();
        RabbitMqHost = rabbitMq.Hostname;
        RabbitMqPort = rabbitMq.GetMappedPublicPort(5672);
        RabbitMqManagementPort = rabbitMq.GetMappedPublicPort(15672);
    }

    /// <summary>True when the environment asks for containers rather than deploy/infra.sh's stack.</summary>
    public static bool Requested => string.Equals(Environment.GetEnvironmentVariable(Variable), "containers", StringComparison.OrdinalIgnoreCase);

    public string PostgresConnectionString { get; }

    public string RabbitMqHost { get; }

    public ushort RabbitMqPort { get; }

    public ushort RabbitMqManagementPort { get; }

    public static string RabbitMqUser => User;

    public static string RabbitMqPassword => Password;

    public static async Task<TestContainers> StartAsync()
    {
        try
        {
            // Build() already looks for the Docker engine: inside the try, so its absence gets the same clear message.
            var postgres = new PostgreSqlBuilder("postgres:15")
                .WithUsername(User).WithPassword(Password).WithDatabase("mlops")
                .WithCommand("-c", "max_connections=300")
                .Build();
            var rabbitMq = new RabbitMqBuilder("rabbitmq:3-management")
                .WithUsername(User).WithPassword(Password)
                .WithPortBinding(15672, assignRandomHostPort: true)
                .Build();
            await Task.WhenAll(postgres.StartAsync(), rabbitMq.StartAsync());
            return new TestContainers(postgres, rabbitMq);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                $"{Variable}=containers, but Testcontainers could not start RabbitMQ and PostgreSQL ({exception.Message}). " +
                $"It needs a Docker engine; without one, unset {Variable} and start the infrastructure with deploy/infra.sh up.", exception);
        }
    }
}
