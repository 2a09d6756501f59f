using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mlops.Cli.Webhooks;

namespace Mlops.Cli.Commands;

/// <summary>
/// mlops webhooks listen: a webhook receiver for trying subscriptions out (and the demo's): it verifies every delivery as
/// docs/webhooks.md says and prints each verified event on one line; a delivery that does not verify is answered 401 (400
/// for a stale timestamp) and printed as refused. The secret comes from MLOPS_WEBHOOK_SECRET, never the command line.
/// </summary>
public static class WebhooksCommand
{
    public const string SecretVariable = "MLOPS_WEBHOOK_SECRET";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The loopback port to listen on", Required = true };
        var path = new Option<string>("--path") { Description = "The path deliveries are posted to", DefaultValueFactory = _ => "/webhook" };
        var maxEvents = new Option<int?>("--max-events") { Description = "Stop after this many verified events (default: run until stopped)" };
        var listen = new Command("listen", $"Receive webhook deliveries on 127.0.0.1, verify each signature with the secret in {SecretVariable}, print the verified events")
        {
            port, path, maxEvents,
        };
        listen.SetAction(async (parse, cancellationToken) =>
        {
            var secret = Environment.GetEnvironmentVariable(SecretVariable);
            if (string.IsNullOrEmpty(secret))
            {
                Console.Error.WriteLine($"mlops: set {SecretVariable} to the subscription's secret.");
                return 1;
            }
            return await ListenAsync(parse.GetValue(port), parse.GetValue(path)!, parse.GetValue(maxEvents), new WebhookReceiver(secret, TimeProvider.System),
                cancellationToken);
        });
        return new Command("webhooks", "Webhooks: a receiver that verifies and prints deliveries") { listen };
    }

    private static async Task<int> ListenAsync(int port, string path, int? maxEvents, WebhookReceiver receiver, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var verified = 0;
        app.MapPost(path, async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
            var (status, line) = receiver.Receive(request.Headers[WebhookReceiver.IdHeader], request.Headers[WebhookReceiver.TimestampHeader],
                request.Headers[WebhookReceiver.SignatureHeader], buffer.ToArray());
            Console.WriteLine($"[webhook] {line}");
            if (status == StatusCodes.Status204NoContent && Interlocked.Increment(ref verified) == maxEvents)
                done.Cancel();
            return Results.StatusCode(status);
        });
        await app.StartAsync(cancellationToken);
        Console.WriteLine($"[webhook] listening on http://127.0.0.1:{port}{path}");
        // The web host's console lifetime takes SIGTERM and SIGINT for itself (stopping the application), so the wait
        // follows the application's stopping token as well as the command's.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(done.Token, app.Lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped, or the last event it was asked to wait for came.
        }
        await app.StopAsync(CancellationToken.None);
        return 0;
    }
}
