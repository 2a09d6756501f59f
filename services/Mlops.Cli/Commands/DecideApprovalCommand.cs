using System.CommandLine;
using Mlops.Catalog;
using Mlops.Contracts;

namespace Mlops.Cli.Commands;

/// <summary>approve and deny: a person's decision on a promotion waiting in AwaitingApproval.</summary>
public static class DecideApprovalCommand
{
    public static Command Create(bool approve)
    {
        var run = new Option<Guid>("--run") { Description = "The pipeline run waiting for approval", Required = true };
        var model = CliOptions.Model();
        var note = new Option<string?>(approve ? "--comment" : "--reason") { Description = approve ? "A note for the record" : "Why not", Required = !approve };
        var principal = CliOptions.Principal();
        var command = new Command(approve ? "approve" : "deny", approve ? "Approve a pending promotion" : "Deny a pending promotion") { run, model, note, principal };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var name = ModelName.Parse(parse.GetValue(model));
            var runId = parse.GetValue(run);
            if (approve)
                await host.PublishAsync(new PromotionApproved
                {
                    CorrelationId = runId, ModelName = name.FullName, Environment = name.Catalog, Principal = parse.GetValue(principal)!, Comment = parse.GetValue(note),
                }, cancellationToken);
            else
                await host.PublishAsync(new PromotionDenied
                {
                    CorrelationId = runId, ModelName = name.FullName, Environment = name.Catalog, Principal = parse.GetValue(principal)!, Reason = parse.GetValue(note)!,
                }, cancellationToken);
            Console.WriteLine($"{(approve ? "Approved" : "Denied")} the promotion of run {runId}.");
            return 0;
        });
        return command;
    }
}
