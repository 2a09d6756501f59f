using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Mlops.Api.Endpoints;
using Mlops.Api.Http;
using Mlops.Api.Identity;
using Mlops.Hosting.Identity;

namespace Mlops.Cli.Commands;

/// <summary>
/// mlops bootstrap-admin: the first admin and its token, straight into the (migrated) database, since no token exists yet to
/// ask the API with. Prints the token once, alone on stdout (for scripts); refuses once any admin exists.
/// </summary>
public static class BootstrapAdminCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The admin's principal name", Required = true };
        var days = new Option<int>("--expires-in-days") { Description = "The token's lifetime in days", DefaultValueFactory = _ => 90 };
        var command = new Command("bootstrap-admin", "Create the first admin and print its token once (direct database access; only on a database without admin)")
        {
            name, days,
        };
        command.RunWithDatabase(async (parse, host, output, cancellationToken) =>
        {
            string principal;
            try
            {
                principal = PrincipalEndpoints.PrincipalName(parse.GetValue(name), "name");
            }
            catch (ApiProblemException problem)
            {
                throw new ArgumentException("--" + problem.Message);
            }
            if (parse.GetValue(days) is < 1 or > 366)
                throw new ArgumentException("--expires-in-days must be between 1 and 366.");
            var by = "cli:" + Environment.UserName;
            var token = await host.Get<AdminBootstrap>().BootstrapAsync(principal, TimeSpan.FromDays(parse.GetValue(days)), by, null, null, cancellationToken)
                ?? throw new CliException("an admin already exists: nothing was changed. Ask an admin for a token ('mlops tokens issue').");
            return output.Write(token, t =>
            {
                CliOutput.Line(t.Token);
                Console.Error.WriteLine($"Admin {t.Principal} bootstrapped; token {t.TokenId} valid until {t.ExpiresAt:u}, shown only this once. " +
                                        $"Database: {new Npgsql.NpgsqlConnectionStringBuilder(host.Configuration.GetConnectionString("Postgres")) { Password = null }.Database}.");
            });
        });
        return command;
    }
}
