using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>Optional OIDC/JWT bearer: the provider says who the caller is, the API's principals say what they may do.</summary>
public sealed class When_a_jwt_from_an_identity_provider_is_presented(JwtFixture fixture) : IClassFixture<JwtFixture>
{
    [Fact]
    public async Task A_valid_jwt_acts_as_the_principal_it_names_with_that_principals_roles()
    {
        (await fixture.PrincipalAsync("jane@example.com", "data_scientist")).Dispose();
        using var jane = fixture.Client(fixture.Jwt("jane@example.com"));

        var allowed = await jane.PostAsJsonAsync("/api/ingestion/code-released", new { modelName = "dev.ml.jwt", codeVersion = "j1", trainer = "logistic_regression" });
        var refused = await jane.PostAsJsonAsync("/api/ingestion/code-released", new { modelName = "prod.ml.jwt", codeVersion = "j1", trainer = "logistic_regression" });

        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var released = Assert.Single(await fixture.OutboxMessagesAsync("TrainingCodeReleased"));
        Assert.Equal("jane@example.com", released.GetProperty("principal").GetString());
        Assert.Equal(["succeeded", "denied"], await fixture.Database.QueryAsync<string>(
            "SELECT outcome FROM audit.entries WHERE principal = 'jane@example.com' ORDER BY seq"));
    }

    [Fact]
    public async Task API_tokens_keep_working_beside_jwts()
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.GetAsync("/api/principals")).StatusCode);
    }

    [Theory]
    [InlineData("signed by another key", "signature")]
    [InlineData("expired", "expired")]
    [InlineData("for another audience", "audience")]
    [InlineData("from another issuer", "issuer")]
    [InlineData("for an unknown principal", "not a principal")]
    [InlineData("not a jwt at all", "not valid")]
    public async Task A_bad_jwt_gets_401_saying_why(string what, string reason)
    {
        (await fixture.PrincipalAsync("bad-jwt-" + Guid.NewGuid().ToString("N")[..8], "ml_engineer")).Dispose();
        var known = (await fixture.Database.QueryAsync<string>("SELECT name FROM identity.principals WHERE name LIKE 'bad-jwt-%' LIMIT 1"))[0];
        using var otherKey = RSA.Create(2048);
        var token = what switch
        {
            "signed by another key" => fixture.Jwt(known, key: otherKey),
            "expired" => fixture.Jwt(known, expiresIn: TimeSpan.FromMinutes(-10)),
            "for another audience" => fixture.Jwt(known, audience: "someone-else"),
            "from another issuer" => fixture.Jwt(known, issuer: "https://evil.test"),
            "for an unknown principal" => fixture.Jwt("nobody@example.com"),
            _ => "eyJhbGciOiJub25lIn0.e30.",
        };
        using var client = fixture.Client(token);

        var response = await client.GetAsync("/api/runs?environment=dev");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
