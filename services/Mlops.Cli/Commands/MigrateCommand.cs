using System.CommandLine;
using Mlops.Hosting.Data;

namespace Mlops.Cli.Commands;

/// <summary>Applies every service's migrations: what deployments that set Database:MigrateOnStartup to false run before the services.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply the database migrations of every Mlops service (direct database access)");
        command.RunWithDatabase(async (_, host, output, cancellationToken) =>
        {
            var applied = await host.Get<Migrator>().MigrateAsync(cancellationToken);
            return output.Write(new { applied }, _ => CliOutput.Line(applied == 0 ? "The database is up to date." : $"Applied {applied} migration(s)."));
        });
        return command;
    }
}
