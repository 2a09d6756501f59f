using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mlops.Api;
using Mlops.Api.Audit;
using Mlops.Hosting.Audit;
using Mlops.Api.Identity;
using Mlops.Hosting.Identity;
using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.Data;

namespace Mlops.Cli;

/// <summary>
/// The small host of the only two commands that reach the database directly: <c>mlops migrate</c> and <c>mlops bootstrap-admin</c>
/// (no token can exist before the first admin). Configuration: appsettings.json next to the binary, then environment variables
/// (ConnectionStrings__Postgres). No bus: every other command goes through the API.
/// </summary>
public sealed class CliHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CliHost(IHost host) => _host = host;

    public static async Task<CliHost> StartAsync(CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "mlops-cli",
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:MigrateOnStartup"] = "false", ["Retention:Enabled"] = "false",
        });

        builder.AddMlopsDefaults();
        // The catalogue's migrations only: the CLI runs no catalogue service, and some need messaging this host does not have.
        builder.Services.AddMlopsMigrations(typeof(CatalogExtensions).Assembly);
        // Every service's migrations: the API's through its assembly, the others embedded into this one (see Mlops.Cli.csproj).
        builder.Services.AddMlopsMigrations(typeof(ApiExtensions).Assembly);
        builder.Services.AddMlopsMigrations(typeof(CliHost).Assembly);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IdentityStore>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AdminBootstrap>();

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new CliHost(host);
    }

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    public IConfiguration Configuration => Get<IConfiguration>();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
