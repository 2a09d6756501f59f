using System.CommandLine;
using Mlops.Cli.Demo;

namespace Mlops.Cli.Commands;

public static class DemoCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Customers in each landed batch", DefaultValueFactory = _ => 50_000 };
        var model = new Option<string>("--model", "-m") { Description = "The model the demo drives", DefaultValueFactory = _ => "dev.ml.churn" };
        var serving = new Option<string>("--serving-url") { Description = "The serving service", DefaultValueFactory = _ => "http://127.0.0.1:5107" };
        var command = new Command("demo", "Drive the whole platform (services must be running): data lands, v1 becomes champion, new code challenges it")
        {
            rows, model, serving,
        };
        command.Run(async (parse, host, cancellationToken) =>
        {
            var script = new DemoScript(host, Console.Out, CliOptions.ParseModel(parse.GetValue(model)!), parse.GetValue(rows), new Uri(parse.GetValue(serving)!));
            return await script.RunAsync(cancellationToken);
        });
        return command;
    }
}
