using System.Globalization;
using System.Text.Json;
using Mlops.Api.Responses;
using Mlops.Cli.Api;

namespace Mlops.Cli.Runs;

/// <summary>Prints a run's history as the API streams it (server-sent events), until the run finishes or the time runs out.</summary>
public sealed class RunFollower(ApiClient api, TextWriter output)
{
    public async Task<RunDetails> FollowAsync(Guid runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await foreach (var item in api.StreamAsync($"api/runs/{runId}/events", limit.Token))
            {
                if (item.EventType == "history" && JsonSerializer.Deserialize<RunHistoryEntry>(item.Data, ApiClient.Json) is { } entry)
                    output.WriteLine(Line(entry));
                else if (item.EventType == "finished")
                    break;
            }
            return await api.GetAsync<RunDetails>($"api/runs/{runId}", cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Run {runId} did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
    }

    public static string Line(RunHistoryEntry entry) => $"  {entry.At.ToLocalTime():HH:mm:ss.fff}  {entry.State,-18}  {entry.Note}";
}
