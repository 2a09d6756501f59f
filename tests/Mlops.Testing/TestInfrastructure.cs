using Dapper;
using Mlops.Hosting.Data;
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

    private const string DefaultSecretsDirectory = "/var/tmp/mlops-infra/secrets";

    /// <summary>The superuser: creates and drops the test databases, and lets tests look at (or tamper with) anything.</summary>
    public static string PostgresAdminConnectionString
    {
        get
        {
            if (Containers.Value?.PostgresConnectionString is { } container)
                return container;
            var builder = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } value
                ? value
                : "Host=127.0.0.1;Port=55432;Username=mlops;Database=mlops");
            // deploy/infra.sh's PGPASSFILE gives Npgsql the admin's password; without it, the admin's secret file does.
            if (builder.Password is null && Environment.GetEnvironmentVariable("PGPASSFILE") is not { Length: > 0 }
                && Secret(builder.Username ?? "mlops", "Database__Password") is { } password)
                builder.Password = password;
            return builder.ConnectionString;
        }
    }

    /// <summary>deploy/infra.sh's secrets: one directory per principal, one file per configuration key.</summary>
    public static string? SecretsDirectory =>
        Environment.GetEnvironmentVariable("Secrets__Directory") is { Length: > 0 } directory ? directory
        : Directory.Exists(DefaultSecretsDirectory) ? DefaultSecretsDirectory
        : null;

    public static string? Secret(string principal, string key) =>
        SecretsDirectory is { } directory && File.Exists(Path.Combine(directory, principal, key))
            ? File.ReadAllText(Path.Combine(directory, principal, key)).Trim()
            : null;

    /// <summary>
    /// The roles deploy/infra.sh made in this cluster (empty on a stack from before per-service roles, where everything
    /// still runs as the superuser).
    /// </summary>
    public static IReadOnlySet<string> Roles => LazyRoles.Value;

    public static bool RolesEnabled => Roles.Contains(DatabaseAccessPolicy.OwnerRole);

    /// <summary>The role a test host of <paramref name="service"/> runs as: the service's own, or the owner for hosts that are no service.</summary>
    public static string RoleFor(string service) =>
        Roles.Contains(DatabaseAccessPolicy.RoleOf(service)) ? DatabaseAccessPolicy.RoleOf(service) : DatabaseAccessPolicy.OwnerRole;

    private static readonly Lazy<IReadOnlySet<string>> LazyRoles = new(() =>
    {
        try
        {
            using var connection = new NpgsqlConnection(PostgresAdminConnectionString);
            return connection.Query<string>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'mlops\\_%'").ToHashSet();
        }
        catch (Exception exception) when (exception is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(Unavailable("PostgreSQL", exception), exception);
        }
    });

    /// <summary>The broker's users (the services' own among them once deploy/infra.sh made them).</summary>
    public static IReadOnlySet<string> RabbitMqUsers => LazyRabbitMqUsers.Value;

    private static readonly Lazy<IReadOnlySet<string>> LazyRabbitMqUsers = new(() =>
    {
        using var management = new RabbitMqManagement();
        try
        {
            return management.UsersAsync().GetAwaiter().GetResult();
        }
        catch (HttpRequestException exception)
        {
            throw new InvalidOperationException(Unavailable("RabbitMQ's management API", exception), exception);
        }
    });

    /// <summary>The RabbitMQ user a test host of <paramref name="service"/> connects as: the service's own, else the tests' user.</summary>
    public static (string User, string Password) RabbitMqUserFor(string service) =>
        RabbitMqPermissions.Of(service) is { } permissions && RabbitMqUsers.Contains(permissions.User)
            && Secret(permissions.User, "Messaging__RabbitMq__Password") is { } password
            ? (permissions.User, password)
            : (RabbitMqUser, RabbitMqPassword);

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
