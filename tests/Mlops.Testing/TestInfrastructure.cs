using Npgsql;

namespace Mlops.Testing;

/// <summary>
/// Where the tests find the real RabbitMQ and PostgreSQL that deploy/infra.sh started.
/// The defaults match the script's; the environment variables it prints (deploy/infra.sh env) override them.
/// </summary>
public static class TestInfrastructure
{
    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=55432;Username=mlops;Database=mlops";

    public static string RabbitMqHost => Environment.GetEnvironmentVariable("Messaging__RabbitMq__Host") ?? "127.0.0.1";

    public static ushort RabbitMqPort => ushort.Parse(Environment.GetEnvironmentVariable("Messaging__RabbitMq__Port") ?? "5672");

    public static ushort RabbitMqManagementPort => ushort.Parse(Environment.GetEnvironmentVariable("Messaging__RabbitMq__ManagementPort") ?? "15672");

    public static string RabbitMqUser => Environment.GetEnvironmentVariable("Messaging__RabbitMq__Username") ?? "guest";

    public static string RabbitMqPassword => Environment.GetEnvironmentVariable("Messaging__RabbitMq__Password") ?? "guest";

    public static string Unavailable(string what, Exception exception) =>
        $"{what} is not reachable ({exception.Message}). Start the infrastructure with deploy/infra.sh up, or run the README test command.";

    public static NpgsqlConnectionStringBuilder AdminConnection() => new(PostgresAdminConnectionString);
}
