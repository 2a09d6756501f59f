using System.Globalization;

namespace Mlops.Cli.Runs;

/// <summary>Prints a run's history as it grows, until the run finishes or the time runs out.</summary>
public sealed class RunFollower(PipelineRuns runs, TextWriter output)
{
    public async Task<RunView> FollowAsync(Guid runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var printed = 0;
        try
        {
            while (true)
            {
                var run = await runs.FindAsync(runId, limit.Token);
                if (run is not null)
                {
                    foreach (var entry in run.History.Skip(printed))
                        output.WriteLine($"  {entry.At.ToLocalTime():HH:mm:ss.fff}  {entry.State,-18}  {entry.Note}");
                    printed = run.History.Count;
                    if (run.IsFinished)
                        return run;
                }
                await Task.Delay(200, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Run {runId} did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
    }

    public async Task<Guid> WaitForStartAsync(Func<CancellationToken, Task<Guid?>> find, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (await find(limit.Token) is { } runId)
                    return runId;
                await Task.Delay(100, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No pipeline run started for {what} within {timeout.TotalSeconds} s: is the orchestrator running and is the model configured?");
        }
    }
}
