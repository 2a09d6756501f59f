using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

/// <summary>A serving host whose token lookups are reused for one second only, so a revocation shows within the test.</summary>
public sealed class AccessServingFixture : ServingFixture
{
    public const string ProdModel = "prod.ml.scoring";

    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serving:Authentication:TokenCacheDuration"] = "00:00:01",
        ["Serving:Authentication:RefusalsBeforeAlert"] = "3",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await MoveAliasAsync("champion", await RegisterAsync(intercept: 0, weight: 1), null);
        await MoveAliasAsync("champion", await RegisterAsync(intercept: 0, weight: 1, ProdModel), null, model: ProdModel);
    }

    public async Task<HttpResponseMessage> InvokeAsAsync(string? token, string model, string scheme = "Bearer")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{BaseAddress}/serving-endpoints/{model}/invocations")
        {
            Content = JsonContent.Create(new { dataframe_records = new object[] { new { x = 1.0, color = "red" } } }),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        using var client = new HttpClient();
        return await client.SendAsync(request);
    }
}

public sealed class When_a_caller_invokes_a_served_model(AccessServingFixture fixture) : IClassFixture<AccessServingFixture>
{
    private const string Prod = AccessServingFixture.ProdModel;

    [Theory]
    [InlineData(null, "Bearer", "No bearer token")]
    [InlineData("mlops_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer", "not valid")]
    [InlineData("not-a-token", "Bearer", "not valid")]
    [InlineData("dXNlcjpwYXNz", "Basic", "not a bearer token")]
    public async Task Without_a_valid_token_it_gets_401_naming_what_is_wrong(string? token, string scheme, string reason)
    {
        var response = await fixture.InvokeAsAsync(token, Prod, scheme);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Equal("Authorization", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_expired_token_gets_401()
    {
        var (token, id) = await TestTokens.IssueWithIdAsync(fixture.Database.ConnectionString, "expired-caller", "model_consumer");
        await fixture.Database.ExecuteAsync("UPDATE identity.tokens SET expires_at = now() - interval '1 second' WHERE id = @id", new { id });

        var response = await fixture.InvokeAsAsync(token, Prod);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_revoked_token_gets_401_within_the_cache_window()
    {
        var (token, id) = await TestTokens.IssueWithIdAsync(fixture.Database.ConnectionString, "revoked-caller", "model_consumer");
        Assert.Equal(HttpStatusCode.OK, (await Eventually.WaitAsync(() => fixture.InvokeAsAsync(token, Prod),
            r => r.StatusCode != HttpStatusCode.NotFound, "the prod champion to load")).StatusCode);

        await TestTokens.RevokeAsync(fixture.Database.ConnectionString, id);

        var refused = await Eventually.WaitAsync(() => fixture.InvokeAsAsync(token, Prod), r => r.StatusCode == HttpStatusCode.Unauthorized,
            "the revocation to be honoured", TimeSpan.FromSeconds(10));
        Assert.Contains("revoked", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_model_consumer_gets_403_on_a_dev_model_and_the_refusal_is_audited()
    {
        var token = await TestTokens.IssueAsync(fixture.Database.ConnectionString, "dev-prober", "model_consumer");

        var response = await fixture.InvokeAsAsync(token, ServingFixture.Model);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("models.invoke", problem.GetProperty("permission").GetString());
        Assert.Equal("dev", problem.GetProperty("catalog").GetString());
        Assert.Equal("model:" + ServingFixture.Model, problem.GetProperty("resource").GetString());
        var entries = await fixture.Database.QueryAsync<(string Action, string Resource, string Outcome)>(
            "SELECT action, resource, outcome FROM audit.entries WHERE principal = 'dev-prober'");
        Assert.Equal([("serving.invoke", "model:" + ServingFixture.Model, "denied")], entries);
    }

    [Fact]
    public async Task Repeated_refusals_raise_one_security_alert()
    {
        var token = await TestTokens.IssueAsync(fixture.Database.ConnectionString, "persistent-prober", "model_consumer");

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await fixture.InvokeAsAsync(token, ServingFixture.Model)).StatusCode);

        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.security_alerts WHERE principal = 'persistent-prober'"));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%SecurityAlert%' AND body::text LIKE '%persistent-prober%'"));
    }

    [Fact]
    public async Task A_model_consumer_scores_with_the_prod_champion_and_the_read_is_audited_once()
    {
        var token = await TestTokens.IssueAsync(fixture.Database.ConnectionString, "prod-consumer", "model_consumer");

        for (var i = 0; i < 3; i++)
        {
            var response = await Eventually.WaitAsync(() => fixture.InvokeAsAsync(token, Prod), r => r.StatusCode != HttpStatusCode.NotFound,
                "the prod champion to load");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray());
        }

        var reads = await fixture.Database.QueryAsync<(string Action, string Resource, string Outcome)>(
            "SELECT action, resource, outcome FROM audit.entries WHERE principal = 'prod-consumer'");
        Assert.Equal([("model_version.read", "model:" + Prod + "@1", "succeeded")], reads);
    }

    [Fact]
    public async Task A_staging_model_is_open_to_a_consumer_but_not_audited_as_a_prod_read()
    {
        var token = await TestTokens.IssueAsync(fixture.Database.ConnectionString, "staging-consumer", "model_consumer");

        var response = await fixture.InvokeAsAsync(token, "staging.ml.unknown");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE principal = 'staging-consumer'"));
    }
}

/// <summary>A closed lab: Serving:Authentication:Required is off.</summary>
public sealed class OpenServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?> { ["Serving:Authentication:Required"] = "false" };
}

public sealed class When_caller_checks_are_switched_off(OpenServingFixture fixture) : IClassFixture<OpenServingFixture>
{
    [Fact]
    public async Task A_call_without_a_token_is_scored()
    {
        await fixture.MoveAliasAsync("champion", await fixture.RegisterAsync(intercept: 0, weight: 1), null);
        using var anonymous = new HttpClient { BaseAddress = fixture.Http.BaseAddress };

        var response = await Eventually.WaitAsync(
            () => anonymous.PostAsJsonAsync($"/serving-endpoints/{ServingFixture.Model}/invocations", new { dataframe_records = new object[] { new { x = 1.0, color = "red" } } }),
            r => r.StatusCode != HttpStatusCode.NotFound, "the champion to load");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
