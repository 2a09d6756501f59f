using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;

namespace Mlops.Bench;

/// <summary>
/// The bench's own PostgreSQL database and RabbitMQ virtual host on the running infrastructure (deploy/infra.sh env names it),
/// so a run neither reads nor leaves anything in what tests or services use. Both are dropped at the end.
/// </summary>
public sealed class BenchInfrastructure : IAsyncDisposable
{
    private readonly HttpClient management;
    private readonly string adminConnectionString;

    private BenchInfrastructure(string adminConnectionString, string databaseConnectionString, string virtualHost, HttpClient management)
    {
        this.adminConnectionString = adminConnectionString;
        ConnectionString = databaseConnectionString;
        VirtualHost = virtualHost;
        this.management = management;
    }

    public string ConnectionString { get; }
    public string VirtualHost { get; }
    public static string RabbitHost => Environment.GetEnvironmentVariable("Messaging__RabbitMq__Host") ?? "127.0.0.1";
    public static int RabbitPort => int.Parse(Environment.GetEnvironmentVariable("Messaging__RabbitMq__Port") ?? "5672");

    public static async Task<BenchInfrastructure> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run bench/run.sh, which takes it from deploy/infra.sh env.");
        var name = $"mlops_bench_{Environment.ProcessId}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            // Owned by the owner role when deploy/infra.sh made the service roles: Serving (P5, P8) runs as its own role and
            // migrates as the owner, as deployed.
            await using var owner = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = 'mlops_owner'", connection);
            var owned = Convert.ToInt64(await owner.ExecuteScalarAsync()) > 0;
            await using var create = new NpgsqlCommand($"""CREATE DATABASE "{name}" {(owned ? "OWNER mlops_owner" : "")}""", connection);
            await create.ExecuteNonQueryAsync();
        }

        var managementPort = Environment.GetEnvironmentVariable("Messaging__RabbitMq__ManagementPort") ?? "15672";
        var http = new HttpClient { BaseAddress = new Uri($"http://{RabbitHost}:{managementPort}/api/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));
        var vhost = $"mlops-bench-{Environment.ProcessId}";
        (await http.PutAsync($"vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await http.PutAsync($"permissions/{vhost}/guest", JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" }))).EnsureSuccessStatusCode();
        // Serving as a process connects as its own broker user (mlops_serving, when deploy/infra.sh made it).
        await http.PutAsync($"permissions/{vhost}/mlops_serving", JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" }));

        return new BenchInfrastructure(admin, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString, vhost, http);
    }

    public async ValueTask DisposeAsync()
    {
        await management.DeleteAsync($"vhosts/{VirtualHost}");
        management.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"""DROP DATABASE IF EXISTS "{new NpgsqlConnectionStringBuilder(ConnectionString).Database}" WITH (FORCE)""", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
