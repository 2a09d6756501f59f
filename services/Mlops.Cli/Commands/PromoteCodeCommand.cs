using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>
/// mlops promote-code: asks the API to release a code version that completed the pipeline in the previous environment of
/// the promotion chain to the next one, with the trainer and parameters it ran with (docs/environments.md). The API checks
/// the chain and the caller's models.write in the target environment, and audits the promotion.
/// </summary>
public static class PromoteCodeCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var codeVersion = new Option<string>("--code-version") { Description = "The code version (git sha) to promote", Required = true };
        var to = new Option<string>("--to") { Description = "The environment to promote into: staging or prod", Required = true };
        var command = new Command("promote-code",
            "Promote training code that completed the pipeline in one environment to the next (dev → staging → prod; needs models.write there)")
        {
            model, codeVersion, to,
        };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var code = parse.GetValue(codeVersion)!;
            var target = parse.GetValue(to)!;
            var accepted = await api.PostAsync<AcceptedMessage>($"api/models/{CliOptions.Escape(name.FullName)}/promote-code",
                new { codeVersion = code, to = target }, cancellationToken);
            return output.Write(accepted, a => CliOutput.Line($"Promoted {code} of {name} to {target} (message {a.MessageId})."));
        });
        return command;
    }
}
