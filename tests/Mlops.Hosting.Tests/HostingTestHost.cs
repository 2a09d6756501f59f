using MassTransit;
using Microsoft.AspNetCore.Builder;
using Mlops.Hosting.Messaging;
using Mlops.Testing;

namespace Mlops.Hosting.Tests;

/// <summary>Builds test services the way a real service's Program.cs does.</summary>
public static class HostingTestHost
{
    public static Task<WebApplication> StartAsync(TestEnvironment environment, string serviceName, Action<IBusRegistrationConfigurator> bus,
        IDictionary<string, string?>? settings = null) =>
        TestHost.StartAsync(environment, serviceName, builder => Configure(builder, bus), settings);

    public static WebApplication Build(TestEnvironment environment, string serviceName, Action<IBusRegistrationConfigurator> bus,
        IDictionary<string, string?>? settings = null) =>
        TestHost.Build(environment, serviceName, builder => Configure(builder, bus), settings);

    private static void Configure(WebApplicationBuilder builder, Action<IBusRegistrationConfigurator> bus)
    {
        builder.AddMlopsDefaults();
        builder.Services.AddMlopsMigrations(typeof(HostingTestHost).Assembly);
        builder.AddMlopsMessaging(bus);
    }
}
