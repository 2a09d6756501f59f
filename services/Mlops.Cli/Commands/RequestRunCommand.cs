using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

public static class RequestRunCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var reason = new Option<string>("--reason") { Description = "Why the run is wanted", DefaultValueFactory = _ => "requested by hand" };
        var parameters = CliOptions.KeyValues("--param", "A trainer parameter overriding the released ones");
        var codeVersion = new Option<string?>("--code-version") { Description = "The code to run (default: the model's last released code)" };
        var command = new Command("request-run", "Ask for a pipeline run of a model by hand (needs models.write)") { model, reason, parameters, codeVersion };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var overrides = CliOptions.ParsePairs(parse.GetValue(parameters), "--param");
            var accepted = await api.PostAsync<AcceptedMessage>("api/runs", new
            {
                modelName = name.FullName, reason = parse.GetValue(reason), codeVersion = parse.GetValue(codeVersion), parameters = overrides,
            }, cancellationToken);
            return output.Write(accepted, a => CliOutput.Line($"Requested a run of {name} (message {a.MessageId})."));
        });
        return command;
    }
}
