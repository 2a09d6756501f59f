using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>The first-admin bootstrap on an empty database: racing callers, exactly one wins, and its token works.</summary>
public sealed class When_the_database_is_empty(EmptyFixture fixture) : IClassFixture<EmptyFixture>
{
    [Fact]
    public async Task Exactly_one_of_several_racing_bootstraps_creates_the_first_admin()
    {
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.principals"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => fixture.Anonymous.PostAsJsonAsync("/api/bootstrap", new { name = $"admin-{i}" })));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r != winner), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.role_grants WHERE role = 'admin'"));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM identity.principals"));
        var issued = await winner.Content.ReadFromJsonAsync<JsonElement>();
        using var admin = fixture.Client(issued.GetProperty("token").GetString()!);
        var principals = await admin.GetFromJsonAsync<JsonElement>("/api/principals");
        Assert.Equal(issued.GetProperty("principal").GetString(), principals[0].GetProperty("name").GetString());
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'identity.bootstrap'"));
    }
}
