using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Health;
using Mlops.Hosting.Identity;
using Mlops.Hosting.Telemetry;
using Npgsql;

namespace Mlops.Hosting;

public static class MlopsHostingExtensions
{
    /// <summary>
    /// What every Mlops service shares: logs with trace ids, OpenTelemetry, PostgreSQL (data source, per-message session,
    /// migrations) and health checks. Messaging is added separately with <c>AddMlopsMessaging</c>.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddMlopsSecrets();
        builder.AddMlopsLogging();
        builder.AddMlopsTelemetry();
        builder.AddMlopsPostgres();
        return builder;
    }

    public static IHostApplicationBuilder AddMlopsLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddConsole(options => options.FormatterName ??= TraceConsoleFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<TraceConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>();
        return builder;
    }

    /// <summary>
    /// Passwords from files, one directory per principal (<c>Secrets:Directory</c>/&lt;role&gt;/&lt;configuration key&gt;,
    /// e.g. <c>mlops_training/Database__Password</c>), as deploy/infra.sh writes them and container secrets mount them:
    /// the migrations role's directory first, then the service's own, whose keys win.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsSecrets(this IHostApplicationBuilder builder)
    {
        var directory = builder.Configuration["Secrets:Directory"];
        if (string.IsNullOrWhiteSpace(directory))
            return builder;

        var principals = new[] { builder.Configuration["Database:MigrationsUsername"], builder.Configuration["Database:Username"] }
            .Where(SqlIdentifier.IsValid).Distinct();
        foreach (var principal in principals)
            builder.Configuration.AddKeyPerFile(Path.Combine(directory, principal!), optional: true);
        return builder;
    }

    public static IHostApplicationBuilder AddMlopsPostgres(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var applicationName = builder.Environment.ApplicationName;
        builder.Services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return BuildDataSource(provider, applicationName, options.Username, options.Password);
        });
        builder.Services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            // Unpooled: migrations run once at start, and no idle connection should keep the owner's rights in the process.
            return string.IsNullOrWhiteSpace(options.MigrationsUsername)
                ? new MigrationDataSource(BuildDataSource(provider, applicationName, options.Username, options.Password, pooling: false))
                : new MigrationDataSource(BuildDataSource(provider, applicationName + " (migrations)", options.MigrationsUsername, options.MigrationsPassword, pooling: false));
        });
        builder.Services.AddScoped<DbSession>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<MessageAudit>();
        builder.Services.AddSingleton<RefusalRecorder>();
        builder.Services.AddSingleton<DatabaseAccess>();
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddMlopsMigrations(typeof(MlopsHostingExtensions).Assembly);
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return builder;
    }

    private static NpgsqlDataSource BuildDataSource(IServiceProvider provider, string applicationName, string? username, string? password,
        bool pooling = true)
    {
        var connectionString = provider.GetRequiredService<IConfiguration>().GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set. Set it in appsettings.json or as the environment variable ConnectionStrings__Postgres.");

        var dataSource = new NpgsqlDataSourceBuilder(connectionString);
        if (!string.IsNullOrWhiteSpace(username))
        {
            dataSource.ConnectionStringBuilder.Username = username;
            // A password in the connection string belongs to the user it names, not to this one.
            dataSource.ConnectionStringBuilder.Password = password;
        }
        dataSource.ConnectionStringBuilder.ApplicationName ??= applicationName;
        if (!pooling)
            dataSource.ConnectionStringBuilder.Pooling = false;
        dataSource.ConnectionStringBuilder.CommandTimeout = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.CommandTimeoutSeconds;
        dataSource.UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>());
        // Commands inside a trace only: the pollers' queries (outbox, leases, sweepers) would each be a trace of their own and
        // bury the traces that matter.
        dataSource.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => Activity.Current is not null)
            .ConfigureBatchFilter(_ => Activity.Current is not null));
        return dataSource.Build();
    }

    /// <summary>Registers the SQL migrations <paramref name="assembly"/> embeds under Migrations/&lt;module&gt;/.</summary>
    public static IServiceCollection AddMlopsMigrations(this IServiceCollection services, Assembly assembly)
    {
        services.AddSingleton(new MigrationSource(assembly));
        return services;
    }

    /// <summary>
    /// /health/live answers while the process runs; /health/ready runs every check tagged "ready" (database, bus, outbox backlog,
    /// parked rows, dead letters, and whatever the service adds) and answers JSON with each check's status, description and data:
    /// 200 when Healthy or Degraded, 503 when Unhealthy. /metrics answers Prometheus scrapes.
    /// </summary>
    public static WebApplication MapMlopsDefaults(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MlopsTelemetry.MetricsPath);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = HealthResponseWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
