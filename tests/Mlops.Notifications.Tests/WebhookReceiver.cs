using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mlops.Notifications.Delivery;
using Mlops.Testing;

namespace Mlops.Notifications.Tests;

/// <summary>
/// A real HTTP receiver in the test process (Kestrel on a loopback port that stays the same across restarts): every hook
/// verifies each signature with its own secret, as docs/webhooks.md tells receivers to, and records what it got. It can
/// be taken down (the port refuses connections) and brought back, and a hook can be told to answer with another status.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private readonly ConcurrentDictionary<string, Func<int>> _answers = new();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;
    private int _port;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public string Url(string hook) => $"http://127.0.0.1:{_port}/hooks/{hook}";

    /// <summary>A new hook with its own secret; returns the secret.</summary>
    public string AddHook(string hook)
    {
        var secret = "whsec_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        _secrets[hook] = secret;
        return secret;
    }

    public string SecretOf(string hook) => _secrets[hook];

    /// <summary>What the hook answers from now on (200 by default).</summary>
    public void Answer(string hook, Func<int> status) => _answers[hook] = status;

    public IReadOnlyList<ReceivedWebhook> For(string hook) => [.. _received.Where(r => r.Hook == hook)];

    public Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(string hook, Func<IReadOnlyList<ReceivedWebhook>, bool> until, string what) =>
        Eventually.WaitAsync(() => Task.FromResult(For(hook)), until, what);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{_port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hooks/{hook}", async (string hook, HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var id = context.Request.Headers[WebhookSignature.IdHeader].ToString();
            var timestamp = context.Request.Headers[WebhookSignature.TimestampHeader].ToString();
            var signature = context.Request.Headers[WebhookSignature.SignatureHeader].ToString();
            var verified = _secrets.TryGetValue(hook, out var secret) && ReceiverRecipe.Verify(secret, id, timestamp, body, signature);
            var status = _answers.TryGetValue(hook, out var answer) ? answer() : StatusCodes.Status200OK;
            if (!verified)
                status = StatusCodes.Status401Unauthorized;
            _received.Enqueue(new ReceivedWebhook(hook, id, timestamp, signature, context.Request.Headers[WebhookSignature.EventHeader].ToString(), body, verified, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        _port = NotificationsFixture.AddressOf(app).Port;
        _app = app;
    }

    /// <summary>Down: the port refuses connections until <see cref="StartAsync"/> runs again.</summary>
    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
