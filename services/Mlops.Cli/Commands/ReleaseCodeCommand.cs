using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

public static class ReleaseCodeCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var codeVersion = new Option<string>("--code-version") { Description = "The git sha of the released training code", Required = true };
        var trainer = new Option<string>("--trainer") { Description = "The trainer to run", DefaultValueFactory = _ => "logistic_regression" };
        var parameters = CliOptions.KeyValues("--param", "A trainer parameter, e.g. l2=0.5");
        var tags = CliOptions.KeyValues("--tag", "A tag for the versions this code trains, e.g. pii=false");
        var description = new Option<string?>("--description") { Description = "The model description the code declares" };
        var command = new Command("release-code", "Announce new training code for a model (the deploy-code trigger; needs models.write)")
        {
            model, codeVersion, trainer, parameters, tags, description,
        };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var accepted = await api.PostAsync<AcceptedMessage>("api/ingestion/code-released", new
            {
                modelName = name.FullName, codeVersion = parse.GetValue(codeVersion), trainer = parse.GetValue(trainer),
                parameters = CliOptions.ParsePairs(parse.GetValue(parameters), "--param"), tags = CliOptions.ParsePairs(parse.GetValue(tags), "--tag"),
                description = parse.GetValue(description),
            }, cancellationToken);
            return output.Write(accepted, a => CliOutput.Line($"Released {parse.GetValue(codeVersion)} for {name} (message {a.MessageId})."));
        });
        return command;
    }
}
