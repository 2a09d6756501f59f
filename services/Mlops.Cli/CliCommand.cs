using System.CommandLine;
using Mlops.Cli.Api;

namespace Mlops.Cli;

/// <summary>Runs a command's body, turning expected failures into one clear "mlops: ..." line on stderr and exit code 1.</summary>
public static class CliCommand
{
    /// <summary>A command that goes through the API with the configured token.</summary>
    public static void RunWithApi(this Command command, Func<ParseResult, ApiClient, CliOutput, CancellationToken, Task<int>> body) =>
        command.Guarded(async (parse, output, cancellationToken) =>
        {
            var settings = CliSettings.Load();
            using var api = new ApiClient(settings, settings.RequireToken());
            return await body(parse, api, output, cancellationToken);
        });

    /// <summary>
    /// One of the two commands that talk to the database directly (migrate, bootstrap-admin): nobody holds a token before them.
    /// </summary>
    public static void RunWithDatabase(this Command command, Func<ParseResult, CliHost, CliOutput, CancellationToken, Task<int>> body) =>
        command.Guarded(async (parse, output, cancellationToken) =>
        {
            await using var host = await CliHost.StartAsync(cancellationToken);
            return await body(parse, host, output, cancellationToken);
        });

    private static void Guarded(this Command command, Func<ParseResult, CliOutput, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = new CliOutput(parse.GetValue(CliOptions.Json));
            try
            {
                return await body(parse, output, cancellationToken);
            }
            catch (Exception exception) when (exception is CliException or ArgumentException or InvalidOperationException or KeyNotFoundException
                                                  or TimeoutException or Npgsql.NpgsqlException)
            {
                var message = exception is ArgumentException { ParamName: { } parameter } argument
                    ? argument.Message.Replace($" (Parameter '{parameter}')", "")
                    : exception.Message;
                return output.Fail(message);
            }
        });
}
