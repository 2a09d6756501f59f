using System.CommandLine;
using Mlops.Contracts;

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
        var principal = CliOptions.Principal();
        var command = new Command("release-code", "Announce new training code for a model (the deploy-code trigger)")
        {
            model, codeVersion, trainer, parameters, tags, description, principal,
        };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var message = new TrainingCodeReleased
            {
                ModelName = name.FullName,
                Environment = name.Catalog,
                Principal = parse.GetValue(principal)!,
                CodeVersion = parse.GetValue(codeVersion)!,
                Trainer = parse.GetValue(trainer)!,
                Parameters = CliOptions.ParsePairs(parse.GetValue(parameters), "--param"),
                Tags = CliOptions.ParsePairs(parse.GetValue(tags), "--tag"),
                Description = parse.GetValue(description),
            };
            var messageId = Guid.NewGuid();
            await host.PublishAsync(message, cancellationToken, messageId);
            Console.WriteLine($"Released {message.CodeVersion} for {name} (message {messageId}).");
            return 0;
        });
        return command;
    }
}
