using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;

namespace Mlops.Testing;

/// <summary>
/// A real service host inside the test process: Kestrel on a free loopback port, the real bus on the environment's
/// virtual host, the real database. Build it the way the service's Program.cs does, through <paramref name="configure"/>.
/// </summary>
public static class TestHost
{
    public static async Task<WebApplication> StartAsync(TestEnvironment environment, string serviceName, Action<WebApplicationBuilder> configure,
        IDictionary<string, string?>? settings = null, Action<WebApplication>? map = null)
    {
        // MassTransit keeps its log context in a static AsyncLocal that would still hold the logger factory of a host this test
        // already disposed; clearing it lets the new bus take its own host's factory.
        MassTransit.LogContext.Current = null!;
        var app = Build(environment, serviceName, configure, settings);
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    public static WebApplication Build(TestEnvironment environment, string serviceName, Action<WebApplicationBuilder> configure,
        IDictionary<string, string?>? settings = null)
    {
        // An empty content root: the appsettings.json files of the services a test project references all land in its output
        // directory and would overwrite each other; test hosts get exactly the settings below and nothing else.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = EmptyContentRoot.Value });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var values = environment.Settings(serviceName);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddSingleton<BaseProcessor<Activity>>(_ => environment.Spans.CreateProcessor());

        configure(builder);

        return builder.Build();
    }

    private static readonly Lazy<string> EmptyContentRoot = new(() =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mlops-test-content-root")).FullName);

    public static async Task StopQuietlyAsync(this WebApplication? app)
    {
        if (app is null)
            return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
