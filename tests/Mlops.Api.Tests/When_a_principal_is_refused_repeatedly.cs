using System.Net;
using System.Net.Http.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>Seed 000, "Unauthorized Access Attempt → Alert Security Team": repeated refusals raise one SecurityAlert through the outbox.</summary>
public sealed class When_a_principal_is_refused_repeatedly(AlertFixture fixture) : IClassFixture<AlertFixture>
{
    [Fact]
    public async Task One_security_alert_is_published_when_the_threshold_is_reached()
    {
        using var prober = await fixture.PrincipalAsync("prober", "model_consumer");

        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await prober.GetAsync("/api/principals")).StatusCode);
        Assert.Empty(await fixture.OutboxMessagesAsync("SecurityAlert"));
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await prober.PostAsJsonAsync("/api/ingestion/code-released",
                new { modelName = "prod.ml.churn", codeVersion = $"p{i}", trainer = "logistic_regression" })).StatusCode);

        var alert = Assert.Single(await fixture.OutboxMessagesAsync("SecurityAlert"));
        Assert.Equal("prober", alert.GetProperty("principal").GetString());
        Assert.Equal(3, alert.GetProperty("refusals").GetInt32());
        Assert.Equal("models.write", alert.GetProperty("permission").GetString());
        await Eventually.WaitAsync(() => fixture.Database.ScalarAsync<bool>(
            "SELECT bool_and(delivered_at IS NOT NULL) FROM messaging.outbox WHERE message_type LIKE '%Mlops.Contracts:SecurityAlert%'"), "the alert to reach the broker");
        Assert.Equal(5, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE principal = 'prober' AND outcome = 'denied'"));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'security.alert' AND resource = 'principal:prober'"));
    }

    [Fact]
    public async Task Other_principals_are_counted_apart()
    {
        using var first = await fixture.PrincipalAsync("curious-1", "model_consumer");
        using var second = await fixture.PrincipalAsync("curious-2", "model_consumer");

        for (var i = 0; i < 2; i++)
        {
            await first.GetAsync("/api/audit/verify");
            await second.GetAsync("/api/audit/verify");
        }

        Assert.DoesNotContain(await fixture.OutboxMessagesAsync("SecurityAlert"), a => a.GetProperty("principal").GetString()!.StartsWith("curious"));
    }
}
