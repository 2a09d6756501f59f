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
        var @override = new Option<bool>("--override")
        {
            Description = "Allow a version that was never champion (the reason is kept in the alias history); archived versions never qualify",
        };
        var principal = CliOptions.Principal();
        var command = new Command("rollback", "Move a model's champion back to a version that was champion before") { model, to, reason, @override, principal };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            if (parse.GetValue(@override) && parse.GetValue(to) is null)
                throw new ArgumentException("--override needs --to: it allows a named version that was never champion.");
            if (string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                throw new ArgumentException("--reason must say why.");
            var requestId = Guid.NewGuid();
            await host.PublishAsync(new RollbackModel
            {
                CorrelationId = requestId, ModelName = name.FullName, Environment = name.Catalog, Principal = parse.GetValue(principal)!,
                ToVersion = parse.GetValue(to), Reason = parse.GetValue(reason)!, Override = parse.GetValue(@override),
            }, cancellationToken);
            Console.WriteLine($"Asked to roll {name} back (request {requestId}); see 'mlops model show {name}'.");
            return 0;
        });
        return command;
    }
}
