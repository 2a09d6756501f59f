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
}
