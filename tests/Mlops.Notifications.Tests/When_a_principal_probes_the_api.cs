using System.Net;
using Mlops.Notifications.Events;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_a_principal_probes_the_api(AlertingApi fixture) : IClassFixture<AlertingApi>
{
    [Fact]
    public async Task The_security_teams_webhook_gets_the_alert()
    {
        await fixture.SubscribeAsync("security-team", null, WebhookEventTypes.SecurityAlert);
        var consumer = await fixture.PrincipalAsync("mallory", "model_consumer");

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await consumer.GetAsync("/api/audit/entries")).StatusCode);

        var alert = (await fixture.Receiver.WaitAsync("security-team", r => r.Count >= 1, "the security.alert webhook")).Single();
        Assert.True(alert.Verified);
        Assert.Equal(WebhookEventTypes.SecurityAlert, alert.EventType);
        var data = alert.Json.GetProperty("data");
        Assert.Equal(("mallory", 3, "audit.read"), (data.GetProperty("principal").GetString(), data.GetProperty("refusals").GetInt32(), data.GetProperty("permission").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, alert.Json.GetProperty("model").ValueKind);
    }
}
