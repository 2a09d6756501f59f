using System.CommandLine;

namespace Mlops.Cli;

/// <summary>Runs a command's body with the CLI host, turning expected failures into one clear line and exit code 1.</summary>
public static class CliCommand
{
    public static void Run(this Command command, Func<ParseResult, CliHost, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                await using var host = await CliHost.StartAsync(cancellationToken);
                return await body(parse, host, cancellationToken);
            }
            catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or KeyNotFoundException or TimeoutException
                                                  or Npgsql.NpgsqlException or MassTransit.RabbitMqConnectionException)
            {
                var message = exception is ArgumentException { ParamName: { } parameter } argument
                    ? argument.Message.Replace($" (Parameter '{parameter}')", "")
                    : exception.Message;
                Console.Error.WriteLine($"mlops: {message}");
                return 1;
            }
        });
}
