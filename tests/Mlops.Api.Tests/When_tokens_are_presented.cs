using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

public sealed class When_tokens_are_presented(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Only_the_hash_of_a_token_is_stored()
    {
        await fixture.PrincipalAsync("hash-check", "data_scientist");
        var token = await fixture.TokenAsync("hash-check");

        var hashes = await fixture.Database.QueryAsync<byte[]>("SELECT token_hash FROM identity.tokens");
        Assert.Contains(hashes, h => h.SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        Assert.StartsWith("mlops_", token);
        Assert.Equal(32, Base64UrlDecodedLength(token["mlops_".Length..]));
        var anywhere = await fixture.Database.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM identity.tokens t WHERE t::text LIKE '%' || @token || '%')
                 + (SELECT count(*) FROM audit.entries e WHERE e::text LIKE '%' || @token || '%')
            """, new { token });
        Assert.Equal(0, anywhere);
    }

    [Fact]
    public async Task A_missing_token_gets_401_problem_details()
    {
        var response = await fixture.Anonymous.GetAsync("/api/runs?environment=dev");

        await AssertUnauthorizedAsync(response, "No bearer token");
    }

    [Fact]
    public async Task A_wrong_token_gets_401()
    {
        using var client = fixture.Client("mlops_" + new string('A', 43));

        await AssertUnauthorizedAsync(await client.GetAsync("/api/runs?environment=dev"), "not valid");
    }

    [Fact]
    public async Task A_token_that_is_not_a_bearer_token_gets_401()
    {
        using var client = new HttpClient { BaseAddress = fixture.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "cm9vdDpyb290");

        await AssertUnauthorizedAsync(await client.GetAsync("/api/runs?environment=dev"), "not a bearer token");
    }

    [Fact]
    public async Task An_expired_token_gets_401()
    {
        using var client = await fixture.PrincipalAsync("expiring", "data_scientist");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs?environment=dev")).StatusCode);

        await fixture.Database.ExecuteAsync("""
            UPDATE identity.tokens SET expires_at = now() - interval '1 second'
            WHERE principal_id = (SELECT id FROM identity.principals WHERE name = 'expiring')
            """);

        await AssertUnauthorizedAsync(await client.GetAsync("/api/runs?environment=dev"), "expired");
    }

    [Fact]
    public async Task A_revoked_token_gets_401_and_the_principals_other_tokens_still_work()
    {
        using var revoked = await fixture.PrincipalAsync("revoking", "data_scientist");
        using var other = fixture.Client(await fixture.TokenAsync("revoking"));
        var tokens = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/principals/revoking/tokens");
        var first = tokens[0].GetProperty("id").GetGuid();

        var revocation = await fixture.Admin.PostAsync($"/api/principals/revoking/tokens/{first}/revoke", null);

        await ApiFixture.EnsureAsync(revocation);
        Assert.Equal("root", (await revocation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revokedBy").GetString());
        await AssertUnauthorizedAsync(await revoked.GetAsync("/api/runs?environment=dev"), "revoked");
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/runs?environment=dev")).StatusCode);
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'token.revoke' AND resource = 'principal:revoking'"));
    }

    [Fact]
    public async Task A_second_bootstrap_is_refused_once_an_admin_exists()
    {
        var admins = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.role_grants WHERE role = 'admin'");

        var response = await fixture.Anonymous.PostAsJsonAsync("/api/bootstrap", new { name = "mallory" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(admins, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.role_grants WHERE role = 'admin'"));
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.principals WHERE name = 'mallory'"));
    }

    [Fact]
    public async Task Only_an_admin_issues_tokens()
    {
        using var engineer = await fixture.PrincipalAsync("not-admin", "ml_engineer");

        var response = await engineer.PostAsJsonAsync("/api/principals/not-admin/tokens", new { description = "more power" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("principals.manage", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permission").GetString());
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    private static int Base64UrlDecodedLength(string value) =>
        Convert.FromBase64String(value.Replace('-', '+').Replace('_', '/') + new string('=', (4 - value.Length % 4) % 4)).Length;
}
