using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Mlops.Testing;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// mlops webhooks listen (the demo's receiver), a process of its own over real HTTP: it prints a delivery signed as
/// docs/webhooks.md describes, and refuses a tampered body, a wrong secret and a stale timestamp; a repeated delivery id
/// is acknowledged once more but not printed as a new event.
/// </summary>
public sealed class When_a_webhook_receiver_listens
{
    private const string Secret = "whsec_receiver_test_0123456789abcdef";

    [Fact]
    public async Task It_prints_verified_events_and_refuses_what_does_not_verify()
    {
        var port = FreePort();
        var listening = CliProcess.RunAsync(new Dictionary<string, string?> { ["MLOPS_WEBHOOK_SECRET"] = Secret },
            "webhooks", "listen", "--port", port.ToString(), "--max-events", "2");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/")).StatusCode;
            }
            catch (HttpRequestException)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, status => status == HttpStatusCode.NotFound, "the receiver to listen", TimeSpan.FromSeconds(60));
        var runId = Guid.NewGuid();
        var body = $$$"""{"id":"{{{Guid.NewGuid()}}}","type":"run.finished","model":"prod.ml.churn","environment":"prod","data":{"correlationId":"{{{runId}}}","outcome":"Completed"}}""";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var tampered = await PostAsync(http, Guid.NewGuid(), now, body, Secret, bodySent: body.Replace("Completed", "Rejected"));
        var wrongSecret = await PostAsync(http, Guid.NewGuid(), now, body, "whsec_someone_else_0123456789abcdef");
        var stale = await PostAsync(http, Guid.NewGuid(), now - 600, body, Secret);
        var delivery = Guid.NewGuid();
        var verified = await PostAsync(http, delivery, now, body, Secret);
        var repeated = await PostAsync(http, delivery, now, body, Secret);
        var alias = await PostAsync(http, Guid.NewGuid(), now,
            """{"id":"e2","type":"alias.set","model":"prod.ml.churn","data":{"alias":"champion","change":"promotion","version":4}}""", Secret);
        var result = await listening;

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest), (tampered, wrongSecret, stale));
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.OK, HttpStatusCode.NoContent), (verified, repeated, alias));
        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var printed = Assert.Single(lines, l => l.Contains("run.finished"));
        Assert.Contains("prod.ml.churn", printed);
        Assert.Contains(runId.ToString(), printed);
        Assert.EndsWith("Completed", printed.TrimEnd());
        Assert.Contains(lines, l => l.Contains("alias.set") && l.Contains("champion -> v4 (promotion)"));
        Assert.Equal(3, lines.Count(l => l.Contains("REFUSED")));
        Assert.DoesNotContain(lines, l => l.Contains("Rejected"));
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, Guid deliveryId, long timestamp, string signedBody, string secret, string? bodySent = null)
    {
        var signature = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes($"{deliveryId}.{timestamp}.{signedBody}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook") { Content = new StringContent(bodySent ?? signedBody, Encoding.UTF8, "application/json") };
        request.Headers.Add("Mlops-Webhook-Id", deliveryId.ToString());
        request.Headers.Add("Mlops-Webhook-Timestamp", timestamp.ToString());
        request.Headers.Add("Mlops-Webhook-Signature", signature);
        return (await http.SendAsync(request)).StatusCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
