using System.ComponentModel.DataAnnotations;

namespace Mlops.Hosting.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the service starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Seconds a command may run before Npgsql cancels it.</summary>
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 120;
}
