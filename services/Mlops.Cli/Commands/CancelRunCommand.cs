using System.CommandLine;
using Mlops.Cli.Runs;
using Mlops.Contracts;

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
        var principal = CliOptions.Principal();
        var command = new Command("cancel", "End an active run by hand: it ends Cancelled with the reason") { runId, reason, principal };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var runs = new PipelineRuns(host.Get<Npgsql.NpgsqlDataSource>());
            var id = parse.GetValue(runId);
            if (string.IsNullOrWhiteSpace(parse.GetValue(reason)))
                throw new ArgumentException("--reason must say why the run is cancelled.");
            var run = await runs.FindAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"No pipeline run {id}.");
            if (run.IsFinished)
            {
                Console.Error.WriteLine($"mlops: run {id} already finished {run.CurrentState}; there is nothing to cancel.");
                return 1;
            }

            await host.PublishAsync(new CancelPipelineRun { CorrelationId = id, Principal = parse.GetValue(principal)!, Reason = parse.GetValue(reason)! },
                cancellationToken);

            var deadline = DateTimeOffset.UtcNow + AnswerTimeout;
            while (!run.IsFinished && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                run = await runs.FindAsync(id, cancellationToken) ?? run;
            }

            Console.WriteLine(run.IsFinished
                ? RunsCommand.Outcome(run)
                : $"Asked to cancel run {id}; it has not ended within {AnswerTimeout.TotalSeconds:0} s (is the orchestrator running?). See 'mlops runs show {id}'.");
            return run.CurrentState == "Cancelled" ? 0 : 1;
        });
        return command;
    }
}
