using System.CommandLine;
using Mlops.Hosting.Data;

namespace Mlops.Cli.Commands;

/// <summary>Applies every service's migrations: what deployments that set Database:MigrateOnStartup to false run before the services.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply the database migrations of every Mlops service");
        command.RunWithoutBus(async (_, host, cancellationToken) =>
        {
            var applied = await host.Get<Migrator>().MigrateAsync(cancellationToken);
            Console.WriteLine(applied == 0 ? "The database is up to date." : $"Applied {applied} migration(s).");
            return 0;
        });
        return command;
    }
}
