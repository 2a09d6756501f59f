using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Mlops.Bench.Serving;

/// <summary>
/// Sends requests at a fixed rate whatever the answers' speed (wrk cannot hold a rate), each latency measured from the
/// moment the request was due, so a stall counts for every request it delayed (no coordinated omission).
/// </summary>
public static class FixedRateClient
{
    public sealed record Report(int Sent, int Failed, double Seconds, double P50, double P99);

    public static async Task ExpectOkAsync(Uri url, string body, string? token = null)
    {
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.SendAsync(Request(url, body, token));
            if (response.IsSuccessStatusCode)
                return;
            if (attempt == 50)
                throw new InvalidOperationException($"{url} answers {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }

    public static async Task<Report> RunAsync(Uri url, string body, string? token, int perSecond, TimeSpan duration)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(10) };
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var failed = 0;
        var requests = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            var index = i;
            requests.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await http.SendAsync(Request(url, body, token));
                    if (!response.IsSuccessStatusCode)
                        Interlocked.Increment(ref failed);
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
                latencies[index] = (clock.Elapsed - due).TotalMilliseconds;
            }));
        }
        await Task.WhenAll(requests);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Report(total, failed, seconds, latencies[(int)(0.50 * (total - 1))], latencies[(int)(0.99 * (total - 1))]);
    }

    private static HttpRequestMessage Request(Uri url, string body, string? token)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
