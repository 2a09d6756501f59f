using System.CommandLine;

namespace Mlops.Cli;

/// <summary>Runs a command's body with the CLI host, turning expected failures into one clear line and exit code 1.</summary>
public static class CliCommand
{
    /// <summary>A command that publishes: the host has a bus and a dispatcher of its own.</summary>
    public static void Run(this Command command, Func<ParseResult, CliHost, CancellationToken, Task<int>> body) =>
        command.Run(publishing: true, body);

    /// <summary>A command that only reads or writes the database: no bus, no dispatcher.</summary>
    public static void RunWithoutBus(this Command command, Func<ParseResult, CliHost, CancellationToken, Task<int>> body) =>
        command.Run(publishing: false, body);

    private static void Run(this Command command, bool publishing, Func<ParseResult, CliHost, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await using var host = await CliHost.StartAsync(publishing, cancellationToken);
                return await body(parse, host, cancellationToken);
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or KeyNotFoundException or TimeoutException
                                                  or Npgsql.NpgsqlException or MassTransit.RabbitMqConnectionException)
            {
                var message = exception is ArgumentException { ParamName: { } parameter } argument
                    ? argument.Message.Replace($" (Parameter '{parameter}')", "")
                    : exception.Message;
                // One line, always: scripts read it, and ArgumentOutOfRangeException adds "Actual value was ..." on a line of its own.
                Console.Error.WriteLine($"mlops: {message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
}
