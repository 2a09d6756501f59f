using System.CommandLine;
using Mlops.Catalog.Registry;
using Mlops.Contracts;

namespace Mlops.Cli.Commands;

public static class RollbackCommand
{
    /// <summary>How long the command waits to see the rollback in the alias history before it leaves the rest to 'mlops model show'.</summary>
    private static readonly TimeSpan ConfirmationTimeout = TimeSpan.FromSeconds(30);

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

            // The promotion service decides and answers RollbackFailed with its reason; saying the plain mistake here saves a round trip.
            var registry = host.Get<ModelRegistry>();
            if (parse.GetValue(to) is { } target && !parse.GetValue(@override)
                && !(await registry.AliasHistoryAsync(name.FullName, ModelAliases.Champion, cancellationToken)).Any(change => change.ToVersion == target))
                throw new InvalidOperationException(
                    $"{name} v{target} was never champion, so it is no rollback target; add --override (with the reason) to make it champion anyway.");

            var requestId = Guid.NewGuid();
            await host.PublishAsync(new RollbackModel
            {
                CorrelationId = requestId, ModelName = name.FullName, Environment = name.Catalog, Principal = parse.GetValue(principal)!,
                ToVersion = parse.GetValue(to), Reason = parse.GetValue(reason)!, Override = parse.GetValue(@override),
            }, cancellationToken);

            var deadline = DateTimeOffset.UtcNow + ConfirmationTimeout;
            while (DateTimeOffset.UtcNow < deadline)
            {
                var done = (await registry.AliasHistoryAsync(name.FullName, ModelAliases.Champion, cancellationToken))
                    .LastOrDefault(change => change.PipelineRunId == requestId);
                if (done is not null)
                {
                    Console.WriteLine($"Rolled {name} back from v{done.FromVersion} to v{done.ToVersion} (request {requestId}).");
                    return 0;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }

            Console.Error.WriteLine($"mlops: the rollback of {name} (request {requestId}) is not in the alias history after {ConfirmationTimeout.TotalSeconds:0} s: " +
                                    "the promotion service refused it (RollbackFailed, with the reason, in its log) or is not running; see 'mlops model show'.");
            return 1;
        });
        return command;
    }
}
