using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Mlops.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// Serving answers steady traffic and is killed with SIGKILL. Rows it answered but had not written yet are lost with the
/// process; with the default settings (Serving:InferenceLog:FlushInterval 100 ms, plus the commit of the batch in flight)
/// that may be at most the rows answered in the last 200 ms, the figure the README promises, and nothing may be written twice.
/// </summary>
public sealed class When_serving_is_killed_under_load(ITestOutputHelper output)
{
    private static readonly TimeSpan PromisedWindow = TimeSpan.FromMilliseconds(200);
    private const int RowsPerRequest = 10;
    private const int Clients = 4;

    private sealed record Answer(Guid RequestId, TimeSpan At);

    [FaultFact]
    public async Task At_most_the_rows_answered_in_the_last_200_ms_are_lost()
    {
        var report = new ScenarioReport("inference log kill -9", output);
        await using var platform = await Platform.StartAsync("inferencelog", [.. Platform.Pipeline, "Serving"], new Dictionary<string, string>());
        var first = await platform.LandDataAndWaitAsync();
        Assert.True(first.State == "Completed", $"no champion to serve: {first}");
        var serving = platform["Serving"];
        using var http = await platform.ServingClientAsync(TimeSpan.FromSeconds(10));
        var bodies = ChurnRequests.Records(400, RowsPerRequest);
        await Eventually.WaitAsync(async () => (await http.PostAsJsonAsync("serving-endpoints/dev.ml.churn/invocations", bodies[0])).IsSuccessStatusCode,
            "serving to answer with the champion");

        var answers = new ConcurrentBag<Answer>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (var i = client; !stop.IsCancellationRequested; i = (i + Clients) % bodies.Count)
            {
                try
                {
                    using var response = await http.PostAsJsonAsync("serving-endpoints/dev.ml.churn/invocations", bodies[i], stop.Token);
                    if (response.IsSuccessStatusCode)
                        answers.Add(new Answer(Guid.Parse(response.Headers.GetValues("X-Request-Id").Single()), clock.Elapsed));
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    return;
                }
            }
        })).ToList();

        // Steady state: the log writer has flushed several batches of this traffic while it keeps coming.
        await Eventually.WaitAsync(() => platform.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log"),
            n => n >= 20_000, "the inference log to be writing steadily", TimeSpan.FromSeconds(60));
        var killedAt = clock.Elapsed;
        serving.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(load);
        var rate = answers.Count * RowsPerRequest / killedAt.TotalSeconds;

        var restart = await serving.RestartAsync();
        report.Recovered(restart);
        // A request answered after the restart is written by the new process: once it is in the log, whatever the old one
        // left behind to replay would be there too.
        using var after = await http.PostAsJsonAsync("serving-endpoints/dev.ml.churn/invocations", bodies[0]);
        var probe = Guid.Parse(after.Headers.GetValues("X-Request-Id").Single());
        await Eventually.WaitAsync(() => platform.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE request_id = @probe", new { probe }),
            n => n == RowsPerRequest, "the first request after the restart to be logged");

        var ids = answers.Select(a => a.RequestId).ToArray();
        var logged = (await platform.Database.QueryAsync<(Guid RequestId, long Rows, long Distinct)>("""
            SELECT request_id, count(*), count(DISTINCT row_index) FROM serving.inference_log WHERE request_id = ANY(@ids) GROUP BY request_id
            """, new { ids })).ToDictionary(r => r.RequestId);
        var lostRows = answers.Sum(a => RowsPerRequest - (logged.TryGetValue(a.RequestId, out var r) ? r.Distinct : 0));
        var duplicated = logged.Values.Sum(r => r.Rows - r.Distinct);
        var bound = answers.Count(a => a.At >= killedAt - PromisedWindow) * RowsPerRequest;
        var lostWindow = answers.Where(a => !logged.ContainsKey(a.RequestId)).Select(a => killedAt - a.At).DefaultIfEmpty(TimeSpan.Zero).Max();

        report.Figure("answered_rows", answers.Count * RowsPerRequest);
        report.Figure("rows_per_second", rate);
        report.Figure("promised_window_ms", PromisedWindow.TotalMilliseconds);
        report.Figure("rows_in_the_promised_window", bound);
        report.Figure("lost", lostRows);
        report.Figure("oldest_lost_answer_ms_before_the_kill", lostWindow.TotalMilliseconds);
        report.Figure("duplicated", duplicated);
        report.Expect(lostRows <= bound, $"{lostRows} answered rows were lost; the last {PromisedWindow.TotalMilliseconds} ms held {bound}");
        report.Expect(duplicated == 0, $"{duplicated} rows were written twice");
        await report.AssertAsync();
    }
}
