using Microsoft.AspNetCore.Builder;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_two_hosts_start_at_once(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Each_migration_is_applied_once()
    {
        var hosts = Enumerable.Range(0, 2).Select(_ => HostingTestHost.Build(environment, "migrating", _ => { })).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(host => host.StartAsync()));

            Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.applications"));
            var history = await environment.Database.QueryAsync<(string Module, int Version)>("SELECT module, version FROM migrations.history");
            Assert.Contains(("messaging", 1), history);
            Assert.Contains(("hosting_tests", 1), history);
            Assert.Equal(history.Count, history.Distinct().Count());
        }
        finally
        {
            foreach (var host in hosts)
                await ((WebApplication?)host).StopQuietlyAsync();
        }
    }
}
