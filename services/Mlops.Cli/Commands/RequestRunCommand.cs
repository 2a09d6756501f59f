using System.CommandLine;
using Mlops.Contracts;

namespace Mlops.Cli.Commands;

public static class RequestRunCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var reason = new Option<string>("--reason") { Description = "Why the run is wanted", DefaultValueFactory = _ => "requested by hand" };
        var parameters = CliOptions.KeyValues("--param", "A trainer parameter overriding the released ones");
        var principal = CliOptions.Principal();
        var command = new Command("request-run", "Ask for a pipeline run of a model by hand") { model, reason, parameters, principal };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var overrides = CliOptions.ParsePairs(parse.GetValue(parameters), "--param");
            var messageId = Guid.NewGuid();
            await host.PublishAsync(new PipelineRequested
            {
                ModelName = name.FullName,
                Environment = name.Catalog,
                Principal = parse.GetValue(principal)!,
                Reason = parse.GetValue(reason)!,
                Parameters = overrides.Count > 0 ? overrides : null,
            }, cancellationToken, messageId);
            Console.WriteLine($"Requested a run of {name} (message {messageId}).");
            return 0;
        });
        return command;
    }
}
