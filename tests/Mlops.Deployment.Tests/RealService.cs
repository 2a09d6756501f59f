using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Compliance;
using Mlops.Hosting;
using Mlops.Testing;

namespace Mlops.Deployment.Tests;

/// <summary>One real service host (Compliance, built as its Program.cs builds it) to try health checks and probes against.</summary>
public static class RealService
{
    public static async Task<(WebApplication Host, Uri Address)> StartAsync(TestEnvironment environment)
    {
        var host = await TestHost.StartAsync(environment, "compliance", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddComplianceService();
        }, map: app => app.MapMlopsDefaults());
        return (host, new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }
}
