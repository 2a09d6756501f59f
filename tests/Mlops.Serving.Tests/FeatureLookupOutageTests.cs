using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Hosting.Data;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

/// <summary>
/// Serving by entity key when the online store cannot be read: requests by key get 503 saying why (with Retry-After only when
/// retrying can help), requests carrying every input are still served and logged, and readiness shows the lookup Degraded
/// (never Unhealthy: the instance still serves) until a lookup succeeds again.
/// </summary>
public sealed class When_the_online_store_cannot_be_read(OnlineStoreOutageFixture fixture) : IClassFixture<OnlineStoreOutageFixture>
{
    private static readonly object ByKey = new { dataframe_records = new object[] { new { customer_id = 1 }, new { customer_id = 2 } } };

    private static readonly object Full = new { dataframe_records = new object[] { new { x = 2.0, color = "red" } } };

    private static readonly string Serving = DatabaseAccessPolicy.RoleOf("serving");

    [Fact]
    public async Task A_revoked_grant_gets_503_naming_it_without_retry_after_and_full_requests_are_still_served()
    {
        await AnsweredAsync(ByKey);
        Assert.Equal("Healthy", (await LookupCheckAsync(HttpStatusCode.OK)).GetProperty("status").GetString());

        await fixture.Database.ExecuteAsync($"REVOKE SELECT ON features_online.{FeatureLookupFixture.Table} FROM {Serving}");
        try
        {
            var refused = await fixture.InvokeAsync(ByKey);
            var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, error.ToString());
            Assert.Equal("TEMPORARILY_UNAVAILABLE", error.GetProperty("error_code").GetString());
            var message = error.GetProperty("message").GetString()!;
            Assert.Contains("permission denied", message);
            Assert.Contains("deployment must be fixed", message);
            Assert.Null(refused.Headers.RetryAfter);

            var served = await AnsweredAsync(Full);
            Assert.Equal([ServingFixture.Expected(-1.0, 0.5, 2.0, "red")], served.Predictions);

            // Degraded answers 200: the instance stays in the load balancer for requests with every input.
            var check = await LookupCheckAsync(HttpStatusCode.OK);
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.False(check.GetProperty("data").GetProperty("transient").GetBoolean());
            Assert.Contains("permission denied", check.GetProperty("data").GetProperty("reason").GetString());
            await LoggedAsync(served.RequestId);
        }
        finally
        {
            await fixture.Database.ExecuteAsync($"GRANT SELECT ON features_online.{FeatureLookupFixture.Table} TO {Serving}");
        }

        await AnsweredAsync(ByKey);
        Assert.Equal("Healthy", (await LookupCheckAsync(null)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unreachable_store_gets_503_with_retry_after_and_full_requests_are_still_served_and_logged_once_it_is_back()
    {
        await AnsweredAsync(ByKey);

        // PostgreSQL refuses Serving's connections to this database (SQLSTATE 53300) and drops the pooled ones: to Serving it is
        // the database going away, while the test's own superuser connections still work.
        await fixture.Database.ExecuteAsync($"ALTER DATABASE \"{fixture.Database.Name}\" CONNECTION LIMIT 0");
        (Guid RequestId, double[] Predictions) served;
        try
        {
            await fixture.Database.ExecuteAsync(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND usename = @Serving", new { Serving });

            var refused = await Eventually.WaitAsync(() => fixture.InvokeAsync(ByKey), r => r.StatusCode != HttpStatusCode.OK,
                "a request by key to fail once Serving's connections are gone");
            var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, error.ToString());
            Assert.Equal("TEMPORARILY_UNAVAILABLE", error.GetProperty("error_code").GetString());
            Assert.Contains("cannot be reached", error.GetProperty("message").GetString());
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

            served = await AnsweredAsync(Full);
            Assert.Equal([ServingFixture.Expected(-1.0, 0.5, 2.0, "red")], served.Predictions);

            var check = await LookupCheckAsync(null);
            Assert.Equal("Degraded", check.GetProperty("status").GetString());
            Assert.True(check.GetProperty("data").GetProperty("transient").GetBoolean());
        }
        finally
        {
            await fixture.Database.ExecuteAsync($"ALTER DATABASE \"{fixture.Database.Name}\" CONNECTION LIMIT -1");
        }

        await Eventually.WaitAsync(() => fixture.InvokeAsync(ByKey), r => r.StatusCode == HttpStatusCode.OK, "requests by key to be served again");
        Assert.Equal("Healthy", (await LookupCheckAsync(null)).GetProperty("status").GetString());
        await LoggedAsync(served.RequestId);
    }

    private async Task<(Guid RequestId, double[] Predictions)> AnsweredAsync(object body)
    {
        var response = await fixture.InvokeAsync(body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return (Guid.Parse(response.Headers.GetValues("X-Request-Id").Single()),
            json.GetProperty("predictions").EnumerateArray().Select(p => p.GetDouble()).ToArray());
    }

    /// <summary>The feature-lookup entry of /health/ready, checking the answer's status when one is expected.</summary>
    private async Task<JsonElement> LookupCheckAsync(HttpStatusCode? expected)
    {
        using var response = await fixture.Http.GetAsync("/health/ready");
        if (expected is { } status)
            Assert.Equal(status, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("feature-lookup");
    }

    private Task LoggedAsync(Guid requestId) =>
        Eventually.WaitAsync(() => fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE request_id = @requestId", new { requestId }),
            n => n == 1, $"request {requestId} to be logged");
}
