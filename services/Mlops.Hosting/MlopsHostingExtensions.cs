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
using Mlops.Hosting.Data;
using Mlops.Hosting.Health;
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

    public static IHostApplicationBuilder AddMlopsPostgres(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var applicationName = builder.Environment.ApplicationName;
        builder.Services.AddSingleton(provider =>
        {
            var connectionString = provider.GetRequiredService<IConfiguration>().GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException(
                    "ConnectionStrings:Postgres is not set. Set it in appsettings.json or as the environment variable ConnectionStrings__Postgres.");

            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.ConnectionStringBuilder.ApplicationName ??= applicationName;
            dataSource.ConnectionStringBuilder.CommandTimeout = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.CommandTimeoutSeconds;
            dataSource.UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>());
            // Commands inside a trace only: the pollers' queries (outbox, leases, sweepers) would each be a trace of their own and
            // bury the traces that matter.
            dataSource.ConfigureTracing(tracing => tracing
                .ConfigureCommandFilter(_ => Activity.Current is not null)
                .ConfigureBatchFilter(_ => Activity.Current is not null));
            return dataSource.Build();
        });
        builder.Services.AddScoped<DbSession>();
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddMlopsMigrations(typeof(MlopsHostingExtensions).Assembly);
        builder.Services.AddHostedService<MigrationHostedService>();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return builder;
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
