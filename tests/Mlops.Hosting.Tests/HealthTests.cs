using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Messaging;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_service_reports_its_health(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task It_is_ready_when_the_database_and_the_broker_answer()
    {
        var host = await TestHost.StartAsync(environment, "healthy", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging();
        }, map: app => app.MapMlopsDefaults());
        try
        {
            using var http = Client(host);
            var ready = await Eventually.WaitAsync(() => http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, "the service to be ready");
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task It_is_alive_but_not_ready_when_the_database_does_not_answer()
    {
        var host = await TestHost.StartAsync(environment, "no-database", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging();
        }, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
            ["Database:MigrateOnStartup"] = "false",
            ["Messaging:Outbox:DispatcherEnabled"] = "false",
        }, app => app.MapMlopsDefaults());
        try
        {
            using var http = Client(host);
            var ready = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    private static HttpClient Client(WebApplication host) => new()
    {
        BaseAddress = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
    };
}
