using System.Net;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>The OpenAPI document and the Scalar reference page, both served; every operation documents its schemas and errors.</summary>
public sealed class When_the_api_describes_itself(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    // POSTs whose request is all in the path: nothing to send in a body.
    private static readonly HashSet<string> BodilessPosts = ["/api/principals/{name}/tokens/{tokenId}/revoke", "/api/dead-letters/{id}/replay"];

    [Fact]
    public async Task Every_operation_has_request_and_response_schemas_and_its_error_responses()
    {
        var document = await LoadAsync();
        var operations = Operations(document).ToList();

        Assert.True(operations.Count >= 20, $"Only {operations.Count} operations documented.");
        foreach (var (path, method, operation) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var responses = operation.GetProperty("responses");
            var success = responses.EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
            Assert.True(success.Count > 0, $"{name} documents no success response.");
            Assert.All(success, r => Assert.True(HasSchema(r.Value), $"{name} {r.Name} has no schema."));
            foreach (var status in new[] { "400", "401", "403", "503" })
            {
                Assert.True(responses.TryGetProperty(status, out var error), $"{name} does not document {status}.");
                Assert.True(error.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{name} {status} is not problem details.");
            }
            if (method == "post" && !BodilessPosts.Contains(path))
            {
                Assert.True(operation.TryGetProperty("requestBody", out var body) && HasSchema(body), $"{name} documents no request body schema.");
                Assert.Contains(operation.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
            }
        }
    }

    [Fact]
    public async Task The_document_covers_every_group_of_the_issue()
    {
        var paths = Operations(await LoadAsync()).Select(o => $"{o.Method} {o.Path}").ToList();

        Assert.Contains("post /api/ingestion/data-landed", paths);
        Assert.Contains("post /api/ingestion/labels-landed", paths);
        Assert.Contains("post /api/ingestion/code-released", paths);
        Assert.Contains("get /api/runs/{runId}/events", paths);
        Assert.Contains("get /api/models/{name}/aliases/{alias}/history", paths);
        Assert.Contains("post /api/approvals/{runId}/approve", paths);
        Assert.Contains("post /api/models/{name}/rollback", paths);
        Assert.Contains("get /api/audit/report", paths);
        Assert.Contains("post /api/principals/{name}/tokens", paths);
        Assert.Contains("post /api/bootstrap", paths);
        Assert.Contains("post /api/runs", paths);
        Assert.Contains("post /api/runs/{runId}/cancel", paths);
        Assert.Contains("post /api/dead-letters/{id}/replay", paths);
        Assert.Contains("post /api/simulator/batches", paths);
    }

    [Fact]
    public async Task The_reference_page_is_served()
    {
        var response = await fixture.Anonymous.GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("scalar", (await response.Content.ReadAsStringAsync()).ToLowerInvariant());
    }

    private async Task<JsonElement> LoadAsync()
    {
        var response = await fixture.Anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from method in path.Value.EnumerateObject()
        where method.Name is "get" or "post" or "put" or "delete" or "patch"
        select (path.Name, method.Name, method.Value);

    private static bool HasSchema(JsonElement withContent) =>
        withContent.TryGetProperty("content", out var content) && content.EnumerateObject().Any(c => c.Value.TryGetProperty("schema", out _));
}
