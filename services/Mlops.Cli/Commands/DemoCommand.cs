using System.CommandLine;
using Mlops.Cli.Api;
using Mlops.Cli.Demo;

namespace Mlops.Cli.Commands;

public static class DemoCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Customers in each landed batch", DefaultValueFactory = _ => 50_000 };
        var model = new Option<string>("--model", "-m") { Description = "The model the demo drives", DefaultValueFactory = _ => "dev.ml.churn" };
        var serving = new Option<string>("--serving-url") { Description = "The serving service", DefaultValueFactory = _ => "http://127.0.0.1:5107" };
        var promote = new Option<bool>("--promote-to-prod")
        {
            Description = "Then promote the released code dev -> staging -> prod (the orchestrator must run the model's staging and prod counterparts)",
        };
        var webhook = new Option<string?>("--webhook-url")
        {
            Description = $"A webhook receiver to subscribe registry-wide (mlops webhooks listen), with the secret in {WebhooksCommand.SecretVariable}",
        };
        var command = new Command("demo", "Drive the whole platform through the API with an admin token (services and API must be running): "
                                          + "principals and tokens, data lands, v1 becomes champion, new code challenges it, drift retrains")
        {
            rows, model, serving, promote, webhook,
        };
        command.RunWithApi(async (parse, api, _, cancellationToken) =>
        {
            DemoWebhook? receiver = null;
            if (parse.GetValue(webhook) is { } url)
            {
                var secret = Environment.GetEnvironmentVariable(WebhooksCommand.SecretVariable);
                if (string.IsNullOrEmpty(secret))
                    throw new CliException($"--webhook-url needs the subscription's secret in {WebhooksCommand.SecretVariable}.");
                receiver = new DemoWebhook(new Uri(url), secret);
            }
            using var script = new DemoScript(CliSettings.Load(), api, Console.Out, CliOptions.ParseModel(parse.GetValue(model)!), parse.GetValue(rows),
                new Uri(parse.GetValue(serving)!), parse.GetValue(promote), receiver);
            return await script.RunAsync(cancellationToken);
        });
        return command;
    }
}
