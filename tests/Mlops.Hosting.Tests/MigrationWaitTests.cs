using Microsoft.AspNetCore.Builder;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>
/// Database:WaitForMigrations, what compose and Kubernetes deployments set beside MigrateOnStartup=false: the service holds its
/// start (no bus, no consumer, no endpoint) until the migration job has applied every migration it embeds, then starts.
/// </summary>
public sealed class When_a_service_waits_for_the_migration_job(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task It_starts_only_once_the_migrations_it_needs_are_applied()
    {
        var waiting = HostingTestHost.Build(environment, "waiting", _ => { }, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = environment.Database.ConnectionString + ";Application Name=waits-for-migrations",
            ["Database:MigrateOnStartup"] = "false",
            ["Database:WaitForMigrations"] = "true",
            ["Database:MigrationPollInterval"] = "00:00:00.100",
        });
        WebApplication? migrating = null;
        try
        {
            var start = waiting.StartAsync();
            // It has looked at the database at least once, found the migrations missing, and waits.
            await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'waits-for-migrations'"), n => n > 0, "the waiting service to poll");
            Assert.False(start.IsCompleted, "the service started before its migrations were applied");
            Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'messaging'"));

            // The migration job (here: a host that migrates on start, with the same migrations) runs; the waiting one follows.
            migrating = await HostingTestHost.StartAsync(environment, "migrating", _ => { });
            await Eventually.WaitAsync(() => Task.FromResult(start.IsCompleted), "the waiting service to start once the migrations are there");
            await start;
        }
        finally
        {
            await migrating.StopQuietlyAsync();
            await ((WebApplication?)waiting).StopQuietlyAsync();
        }
    }
}
