using System.ComponentModel.DataAnnotations;

namespace Mlops.Hosting.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the service starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// With <see cref="MigrateOnStartup"/> off: hold the start until every migration this service embeds has been applied
    /// (by the <c>mlops migrate</c> job a deployment runs beside the services), so no consumer meets a missing table.
    /// </summary>
    public bool WaitForMigrations { get; set; }

    /// <summary>How often a service waiting for migrations looks again.</summary>
    public TimeSpan MigrationPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Seconds a command may run before Npgsql cancels it.</summary>
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// The PostgreSQL role this service is (e.g. <c>mlops_training</c>). The connection string says where the server is,
    /// this says who connects: when set, it replaces the connection string's user name.
    /// </summary>
    public string? Username { get; set; }

    /// <summary>This role's password; from the secrets directory (see <c>Secrets:Directory</c>), never from the repository.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The role migrations run under (the schemas' owner, <c>mlops_owner</c>); unset, migrations use the service's own
    /// connection. Services never need it when migrations are run by <c>mlops migrate</c> with <c>MigrateOnStartup</c> off.
    /// </summary>
    public string? MigrationsUsername { get; set; }

    public string? MigrationsPassword { get; set; }
}
