using System.CommandLine;
using Mlops.Api.Responses;
using Mlops.Catalog.Registry;

namespace Mlops.Cli.Commands;

/// <summary>mlops rollback: moves a model's champion back, and waits to see the move in the alias history.</summary>
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
            Description = "Allow a version that was never champion (needs models.rollback_override; the reason is kept in the alias history)",
        };
        var command = new Command("rollback", "Move a model's champion back to a version that was champion before (needs models.promote)")
        {
            model, to, reason, @override,
        };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            if (parse.GetValue(@override) && parse.GetValue(to) is null)
                throw new ArgumentException("--override needs --to: it allows a named version that was never champion.");
            if (string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                throw new ArgumentException("--reason must say why.");

            var historyPath = $"api/models/{CliOptions.Escape(name.FullName)}/aliases/{ModelAliases.Champion}/history";
            // The API lets an override holder roll back to any version; the flag makes sure nobody does that by a typo.
            if (parse.GetValue(to) is { } target && !parse.GetValue(@override)
                && !(await api.GetAsync<List<AliasChange>>(historyPath, cancellationToken)).Any(change => change.ToVersion == target))
                throw new CliException(
                    $"{name} v{target} was never champion, so it is no rollback target; add --override (with the reason) to make it champion anyway.");

            var accepted = await api.PostAsync<AcceptedMessage>($"api/models/{CliOptions.Escape(name.FullName)}/rollback",
                new { toVersion = parse.GetValue(to), reason = parse.GetValue(reason) }, cancellationToken);
            var requestId = accepted.CorrelationId ?? accepted.MessageId;

            var deadline = DateTimeOffset.UtcNow + ConfirmationTimeout;
            while (DateTimeOffset.UtcNow < deadline)
            {
                var done = (await api.GetAsync<List<AliasChange>>(historyPath, cancellationToken)).LastOrDefault(change => change.PipelineRunId == requestId);
                if (done is not null)
                    return output.Write(done, d => CliOutput.Line($"Rolled {name} back from v{d.FromVersion} to v{d.ToVersion} (request {requestId})."));
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }

            throw new CliException($"the rollback of {name} (request {requestId}) is not in the alias history after {ConfirmationTimeout.TotalSeconds:0} s: " +
                                   "the promotion service refused it (RollbackFailed, with the reason, in its log) or is not running; see 'mlops model show'.");
        });
        return command;
    }
}
