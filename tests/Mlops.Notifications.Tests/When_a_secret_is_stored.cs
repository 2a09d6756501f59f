using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mlops.Api;
using Mlops.Hosting;
using Mlops.Notifications.Events;
using Mlops.Testing;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_a_secret_is_stored(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [Fact]
    public async Task The_row_holds_no_plaintext_and_the_api_never_shows_it()
    {
        var subscription = await fixture.SubscribeAsync("secret", "dev.ml.churn_secret", WebhookEventTypes.RunFinished);
        var secret = fixture.Receiver.SecretOf("secret");

        var stored = await fixture.Database.ScalarAsync<byte[]>("SELECT secret_encrypted FROM notifications.subscriptions WHERE id = @subscription", new { subscription });
        var everything = await fixture.Database.ScalarAsync<string>("SELECT string_agg(t::text, ' ') FROM notifications.subscriptions t");
        var shown = await fixture.Admin.GetStringAsync($"/api/webhooks/{subscription}");
        var listed = await fixture.Admin.GetStringAsync("/api/webhooks");
        var audited = await fixture.Database.ScalarAsync<string>("SELECT string_agg(detail, ' ') FROM audit.entries");

        Assert.True(stored.Length >= Encoding.UTF8.GetByteCount(secret) + 29);
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret[6..18])));
        Assert.DoesNotContain(secret, everything);
        Assert.DoesNotContain(secret, shown);
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain(secret, audited);
    }

    [Fact]
    public async Task The_service_refuses_to_start_without_the_key_or_with_another_key()
    {
        await fixture.SubscribeAsync("keyless", "dev.ml.churn_keyless", WebhookEventTypes.RunFinished);

        var without = Assert.IsType<InvalidOperationException>(await fixture.RefusedStartAsync(new Dictionary<string, string?>()));
        var another = Assert.IsType<InvalidOperationException>(await fixture.RefusedStartAsync(new Dictionary<string, string?>
        {
            ["Secrets:Key"] = Convert.ToBase64String(new byte[32]),
        }));

        Assert.Contains("Secrets__Key", without.Message);
        Assert.Contains("not the key the subscriptions were created with", another.Message);
    }

    [Fact]
    public async Task The_api_refuses_a_subscription_when_it_has_no_key()
    {
        var keyless = await TestHost.StartAsync(fixture, "api-keyless", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddApiService();
        }, null, app =>
        {
            app.MapMlopsDefaults();
            app.MapApiEndpoints();
        });
        try
        {
            using var client = fixture.Client(fixture.Admin.DefaultRequestHeaders.Authorization!.Parameter!);
            client.BaseAddress = NotificationsFixture.AddressOf(keyless);
            var response = await client.PostAsJsonAsync("/api/webhooks", new
            {
                url = "http://127.0.0.1:9/hook", model = "dev.ml.churn_nokey", eventTypes = new[] { "run.finished" }, secret = new string('s', 32),
            });

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("Secrets__Key", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        finally
        {
            await keyless.StopQuietlyAsync();
        }
    }
}
