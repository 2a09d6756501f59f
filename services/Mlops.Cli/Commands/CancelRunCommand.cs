using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>mlops runs cancel: ends an active run by hand (it ends Cancelled, with the reason, and frees its model's lane).</summary>
public static class CancelRunCommand
{
    /// <summary>How long the command waits to see the run end before it leaves the rest to 'mlops runs show'.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var runId = new Argument<Guid>("run") { Description = "The run id" };
        var reason = new Option<string>("--reason") { Description = "Why (kept as the run's failure reason)", Required = true };
        var command = new Command("cancel", "End an active run by hand: it ends Cancelled with the reason (needs models.write)") { runId, reason };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var id = parse.GetValue(runId);
            if (string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                throw new ArgumentException("--reason must say why the run is cancelled.");
            await api.PostAsync<AcceptedMessage>($"api/runs/{id}/cancel", new { reason = parse.GetValue(reason) }, cancellationToken);

            var run = await api.GetAsync<RunDetails>($"api/runs/{id}", cancellationToken);
            var deadline = DateTimeOffset.UtcNow + AnswerTimeout;
            while (run.FinishedAt is null && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                run = await api.GetAsync<RunDetails>($"api/runs/{id}", cancellationToken);
            }

            if (run.FinishedAt is null)
                throw new CliException($"asked to cancel run {id}; it has not ended within {AnswerTimeout.TotalSeconds:0} s (is the orchestrator running?). See 'mlops runs show {id}'.");
            output.Write(run, r => CliOutput.Line(RunsCommand.Outcome(r)));
            return run.CurrentState == "Cancelled" ? 0 : 1;
        });
        return command;
    }
}
