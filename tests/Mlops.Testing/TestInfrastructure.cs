using Npgsql;

namespace Mlops.Testing;

/// <summary>
/// Where the tests find the real RabbitMQ and PostgreSQL that deploy/infra.sh started.
/// The defaults match the script's; the environment variables it prints (deploy/infra.sh env) override them.
/// With MLOPS_TEST_INFRA=containers, the containers <see cref="TestContainers"/> starts on first use instead.
/// </summary>
public static class TestInfrastructure
{
    // Started off the test's synchronisation context (Task.Run), so blocking on it here cannot deadlock xunit's.
    private static readonly Lazy<TestContainers?> Containers = new(() =>
        TestContainers.Requested ? Task.Run(TestContainers.StartAsync).GetAwaiter().GetResult() : null);

    public static string PostgresAdminConnectionString =>
        Containers.Value?.PostgresConnectionString
        ?? (Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=55432;Username=mlops;Database=mlops");

    public static string RabbitMqHost => Containers.Value?.RabbitMqHost ?? Environment.GetEnvironmentVariable("Messaging__RabbitMq__Host") ?? "127.0.0.1";

    public static ushort RabbitMqPort => Containers.Value?.RabbitMqPort ?? ushort.Parse(Environment.GetEnvironmentVariable("Messaging__RabbitMq__Port") ?? "5672");

    public static ushort RabbitMqManagementPort =>
        Containers.Value?.RabbitMqManagementPort ?? ushort.Parse(Environment.GetEnvironmentVariable("Messaging__RabbitMq__ManagementPort") ?? "15672");

    public static string RabbitMqUser => Containers.Value is null ? Environment.GetEnvironmentVariable("Messaging__RabbitMq__Username") ?? "guest" : TestContainers.RabbitMqUser;

    public static string RabbitMqPassword => Containers.Value is null ? Environment.GetEnvironmentVariable("Messaging__RabbitMq__Password") ?? "guest" : TestContainers.RabbitMqPassword;

    public static string Unavailable(string what, Exception exception) =>
        $"{what} is not reachable ({exception.Message}). Start the infrastructure with deploy/infra.sh up, or run the README test command.";

    public static NpgsqlConnectionStringBuilder AdminConnection() => new(PostgresAdminConnectionString);
}
