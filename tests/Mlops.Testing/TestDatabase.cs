using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Testing;

/// <summary>A database of its own for one test class, dropped afterwards: tests never see each other's rows.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>For the test's own queries and assertions.</summary>
    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        var admin = TestInfrastructure.AdminConnection();
        try
        {
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            // Owned by the owner role, which creates every schema in it when the first host migrates.
            await connection.ExecuteAsync(TestInfrastructure.RolesEnabled
                ? $"CREATE DATABASE \"{name}\" OWNER {DatabaseAccessPolicy.OwnerRole}"
                : $"CREATE DATABASE \"{name}\"");
        }
        catch (Exception exception) when (exception is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(TestInfrastructure.Unavailable("PostgreSQL", exception), exception);
        }

        admin.Database = name;
        return new TestDatabase(name, admin.ConnectionString);
    }

    /// <summary>A connection to this database as <paramref name="role"/> (a service's role, or the owner), with its password from deploy/infra.sh's secrets.</summary>
    public async Task<NpgsqlConnection> OpenAsAsync(string role)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Username = role, Password = TestInfrastructure.Secret(role, "Database__Password"), Pooling = false,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? default!;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdminConnectionString);
            await connection.OpenAsync();
            await connection.ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        }
        catch (NpgsqlException)
        {
            // A database left behind costs disk, not correctness: names are unique.
        }
    }
}
