using Dapper;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Deployment.Tests;

/// <summary>
/// MLOPS_TEST_INFRA=containers: the fixtures' RabbitMQ and PostgreSQL come from Testcontainers. With a Docker engine both
/// start and answer (the database, and the management API the fixtures create virtual hosts with); without one (as on the
/// machines deploy/test.sh runs on) the fixtures stop with a message that says what to do instead.
/// </summary>
public sealed class When_the_tests_ask_for_containers
{
    [Fact]
    public async Task Testcontainers_starts_the_infrastructure_or_says_it_needs_docker()
    {
        if (DockerEngineAnswers())
        {
            var containers = await TestContainers.StartAsync();
            await using var connection = new NpgsqlConnection(containers.PostgresConnectionString);
            Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT 1"));
            using var http = new HttpClient();
            http.DefaultRequestHeaders.Authorization = new("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{TestContainers.RabbitMqUser}:{TestContainers.RabbitMqPassword}")));
            Assert.True((await http.GetAsync($"http://{containers.RabbitMqHost}:{containers.RabbitMqManagementPort}/api/overview")).IsSuccessStatusCode);
        }
        else
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(TestContainers.StartAsync);
            Assert.Contains("MLOPS_TEST_INFRA=containers", failure.Message);
            Assert.Contains("deploy/infra.sh up", failure.Message);
        }
    }

    private static bool DockerEngineAnswers() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");
}
