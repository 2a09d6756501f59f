using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Api;
using Mlops.Hosting;
using Mlops.Testing;

namespace Mlops.Notifications.Tests;

/// <summary>
/// The real notifications service and the real control-plane API on a test class's database and virtual host, sharing one
/// Secrets:Key, with a real webhook receiver; an admin bootstrapped over HTTP. Retries are fast (100 ms doubling to 400 ms).
/// </summary>
public class NotificationsFixture : TestEnvironment
{
    public string SecretKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public WebhookReceiver Receiver { get; } = new();

    public WebApplication Notifications { get; private set; } = null!;

    public WebApplication Api { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    protected virtual IDictionary<string, string?> NotificationSettings => new Dictionary<string, string?>
    {
        ["Secrets:Key"] = SecretKey,
        ["Webhooks:Delivery:PollInterval"] = "00:00:00.100",
        ["Webhooks:Delivery:RetryInitial"] = "00:00:00.100",
        ["Webhooks:Delivery:RetryMax"] = "00:00:00.400",
        ["Webhooks:Delivery:Timeout"] = "00:00:05",
    };

    protected virtual IDictionary<string, string?> ApiSettings => new Dictionary<string, string?>
    {
        ["Secrets:Key"] = SecretKey,
        ["Api:RefusalsBeforeAlert"] = "10000",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Receiver.StartAsync();
        Notifications = await StartNotificationsAsync(NotificationSettings);
        Api = await TestHost.StartAsync(this, "api", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddApiService();
        }, ApiSettings, app =>
        {
            app.MapMlopsDefaults();
            app.MapApiEndpoints();
        });
        Anonymous = new HttpClient { BaseAddress = AddressOf(Api) };
        var bootstrap = await Anonymous.PostAsJsonAsync("/api/bootstrap", new { name = "root" });
        await EnsureAsync(bootstrap);
        Admin = Client((await bootstrap.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
    }

    public Task<WebApplication> StartNotificationsAsync(IDictionary<string, string?> settings) =>
        TestHost.StartAsync(this, "notifications", ConfigureNotifications, settings, app => app.MapMlopsDefaults());

    /// <summary>Starts a second notifications service that is expected to refuse to start; whatever it started is stopped again.</summary>
    public async Task<Exception?> RefusedStartAsync(IDictionary<string, string?> settings)
    {
        var app = TestHost.Build(this, "notifications-refused", ConfigureNotifications, settings);
        try
        {
            await app.StartAsync();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
        finally
        {
            await app.StopQuietlyAsync();
        }
    }

    private static void ConfigureNotifications(WebApplicationBuilder builder)
    {
        builder.AddMlopsDefaults();
        builder.AddNotificationsService();
    }

    /// <summary>Where a started host listens (Kestrel picked a free loopback port).</summary>
    public static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = Anonymous.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A principal with roles, created through the admin API, and a client carrying a new token of it.</summary>
    public async Task<HttpClient> PrincipalAsync(string name, params string[] roles)
    {
        await EnsureAsync(await Admin.PostAsJsonAsync("/api/principals", new { name, kind = "user", roles }));
        var issued = await Admin.PostAsJsonAsync($"/api/principals/{name}/tokens", new { description = "test" });
        await EnsureAsync(issued);
        return Client((await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
    }

    /// <summary>Subscribes a new receiver hook through the API as admin; returns the subscription id.</summary>
    public async Task<Guid> SubscribeAsync(string hook, string? model, params string[] eventTypes)
    {
        var secret = Receiver.AddHook(hook);
        var created = await Admin.PostAsJsonAsync("/api/webhooks", new { url = Receiver.Url(hook), model, eventTypes, secret, description = hook });
        await EnsureAsync(created);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>
    /// Publishes an event on the bus from outside the service under test (the notifications service's own broker user may
    /// publish nothing: deploy/rabbitmq-permissions.txt), as the service that raises it would.
    /// </summary>
    public Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        base.PublishAsync(message, context =>
        {
            if (messageId is { } id)
                context.MessageId = id;
        });

    /// <summary>The subscription's deliveries as stored, in sequence order.</summary>
    public async Task<IReadOnlyList<DeliveryRow>> DeliveriesAsync(Guid subscriptionId) =>
        [.. await Database.QueryAsync<DeliveryRow>("""
            SELECT id AS Id, sequence AS Sequence, event_id AS EventId, replay_of AS ReplayOf, status AS Status, attempts AS Attempts,
                last_status_code AS LastStatusCode, last_error AS LastError
            FROM notifications.deliveries WHERE subscription_id = @subscriptionId ORDER BY sequence
            """, new { subscriptionId })];

    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    public override async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        await Api.StopQuietlyAsync();
        await Notifications.StopQuietlyAsync();
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }
}
