using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Mlops.Catalog;
using Mlops.Catalog.Lineage;
using Mlops.Cli.Runs;
using Mlops.Contracts;

namespace Mlops.Cli.Commands;

/// <summary>
/// mlops promote-code: releases a code version that completed the pipeline in the previous environment of
/// Pipeline:Promotion:Chain to the next one, with the trainer and parameters it ran with (docs/environments.md).
/// </summary>
public static class PromoteCodeCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var codeVersion = new Option<string>("--code-version") { Description = "The code version (git sha) to promote", Required = true };
        var to = new Option<string>("--to") { Description = "The environment to promote into: staging or prod", Required = true };
        var principal = CliOptions.Principal();
        var command = new Command("promote-code", "Promote training code that completed the pipeline in one environment to the next (dev → staging → prod)")
        {
            model, codeVersion, to, principal,
        };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var target = parse.GetValue(to)!;
            var code = parse.GetValue(codeVersion)!;
            if (!ModelName.Environments.Contains(target))
                throw new ArgumentException($"--to '{target}' is not an environment: use staging or prod.");
            var chain = host.Get<IConfiguration>().GetSection(PromotionChain.Section).Get<PromotionChain>() ?? new PromotionChain();
            var from = chain.Before(target)
                ?? throw new InvalidOperationException($"{target} is the first environment of the promotion chain ({chain.Chain}): release code there with release-code.");

            var source = PromotionChain.ModelIn(from, name);
            var runs = new PipelineRuns(host.Get<Npgsql.NpgsqlDataSource>());
            RunView? passed = null;
            foreach (var runId in (await host.Get<LineageQueries>().CompletedRunsOfCodeAsync($"{name.Schema}.{name.Model}", code, cancellationToken)).Reverse())
            {
                if (await runs.FindAsync(runId, cancellationToken) is { } run && run.ModelName == source)
                {
                    passed = run;
                    break;
                }
            }
            if (passed is null || passed.ModelName != source)
                throw new InvalidOperationException($"Code {code} never completed the pipeline in {from} ({source} has no Completed run of it), so it cannot be promoted to {target}.");

            var message = new TrainingCodeReleased
            {
                ModelName = PromotionChain.ModelIn(target, name), Environment = target, Principal = parse.GetValue(principal)!, CodeVersion = code,
                Trainer = passed.Trainer, Parameters = passed.Parameters, Tags = passed.Tags, Description = passed.Description,
            };
            var messageId = Guid.NewGuid();
            await host.PublishAsync(message, cancellationToken, messageId);
            Console.WriteLine($"Promoted {code} from {from} (run {passed.CorrelationId}) to {message.ModelName} (message {messageId}).");
            return 0;
        });
        return command;
    }
}
