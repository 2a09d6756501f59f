using System.CommandLine;
using Mlops.Contracts;

namespace Mlops.Cli.Commands;

public static class RollbackCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var to = new Option<int?>("--to") { Description = "The version to return to (default: the champion before the current one)" };
        var reason = new Option<string>("--reason") { Description = "Why", Required = true };
        var principal = CliOptions.Principal();
        var command = new Command("rollback", "Move a model's champion back") { model, to, reason, principal };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var requestId = Guid.NewGuid();
            await host.PublishAsync(new RollbackModel
            {
                CorrelationId = requestId, ModelName = name.FullName, Environment = name.Catalog, Principal = parse.GetValue(principal)!,
                ToVersion = parse.GetValue(to), Reason = parse.GetValue(reason)!,
            }, cancellationToken);
            Console.WriteLine($"Asked to roll {name} back (request {requestId}); see 'mlops model show {name}'.");
            return 0;
        });
        return command;
    }
}
