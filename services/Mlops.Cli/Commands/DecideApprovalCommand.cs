using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>approve and deny: a person's decision on a promotion waiting in AwaitingApproval (not whoever requested the run or released its code).</summary>
public static class DecideApprovalCommand
{
    public static Command Create(bool approve)
    {
        var run = new Option<Guid>("--run") { Description = "The pipeline run waiting for approval", Required = true };
        var note = new Option<string?>(approve ? "--comment" : "--reason") { Description = approve ? "A note for the record" : "Why not", Required = !approve };
        var command = new Command(approve ? "approve" : "deny", (approve ? "Approve" : "Deny") + " a pending promotion (needs models.promote)") { run, note };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var runId = parse.GetValue(run);
            var accepted = approve
                ? await api.PostAsync<AcceptedMessage>($"api/approvals/{runId}/approve", new { comment = parse.GetValue(note) }, cancellationToken)
                : await api.PostAsync<AcceptedMessage>($"api/approvals/{runId}/deny", new { reason = parse.GetValue(note) }, cancellationToken);
            return output.Write(accepted, a => CliOutput.Line($"{(approve ? "Approved" : "Denied")} the promotion of run {runId} (message {a.MessageId})."));
        });
        return command;
    }
}
