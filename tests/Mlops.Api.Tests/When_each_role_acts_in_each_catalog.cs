using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// The seed's access matrix, table-driven over real HTTP: every role × every action × every catalog. The expectation is written
/// here from the seed's table, independently of the service's AccessMatrix:
///
/// | role            | dev        | staging    | prod       | registry             |
/// | Data Scientists | read/write | read       | read       | create/update in dev |
/// | ML Engineers    | read/write | read/write | read       | full access          |
/// | DevOps Engineers| read       | read/write | read/write | promote models       |
/// | Model Consumers | no access  | read       | read       | read production models |
/// plus admin, who may do everything (and is the only one to query the audit log and manage principals).
/// </summary>
public sealed class When_each_role_acts_in_each_catalog(MatrixFixture fixture) : IClassFixture<MatrixFixture>
{
    private const string All = "dev,staging,prod";

    // action -> role -> catalogs where the seed allows it.
    private static readonly Dictionary<string, Dictionary<string, string>> Seed = new()
    {
        ["land data"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = "dev,staging", ["devops_engineer"] = "staging,prod", ["model_consumer"] = "" },
        ["land labels"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = "dev,staging", ["devops_engineer"] = "staging,prod", ["model_consumer"] = "" },
        ["list runs"] = new() { ["data_scientist"] = All, ["ml_engineer"] = All, ["devops_engineer"] = All, ["model_consumer"] = "staging,prod" },
        ["release code"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = All, ["devops_engineer"] = "", ["model_consumer"] = "" },
        ["read model"] = new() { ["data_scientist"] = All, ["ml_engineer"] = All, ["devops_engineer"] = All, ["model_consumer"] = "prod" },
        ["search models"] = new() { ["data_scientist"] = All, ["ml_engineer"] = All, ["devops_engineer"] = All, ["model_consumer"] = "prod" },
        ["approve promotion"] = new() { ["data_scientist"] = "", ["ml_engineer"] = All, ["devops_engineer"] = All, ["model_consumer"] = "" },
        ["roll back"] = new() { ["data_scientist"] = "", ["ml_engineer"] = All, ["devops_engineer"] = All, ["model_consumer"] = "" },
        ["query audit"] = new() { ["data_scientist"] = "", ["ml_engineer"] = "", ["devops_engineer"] = "", ["model_consumer"] = "" },
        ["manage principals"] = new() { ["data_scientist"] = "", ["ml_engineer"] = "", ["devops_engineer"] = "", ["model_consumer"] = "" },
        // Readings of the seed for what the CLI added (docs/security.md): synthetic data and landed files are data; a run makes a version (registry
        // create); dead letters cross every catalog, so only admin.
        ["land a file"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = "dev,staging", ["devops_engineer"] = "staging,prod", ["model_consumer"] = "" },
        ["land synthetic data"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = "dev,staging", ["devops_engineer"] = "staging,prod", ["model_consumer"] = "" },
        ["request run"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = All, ["devops_engineer"] = "", ["model_consumer"] = "" },
        ["cancel run"] = new() { ["data_scientist"] = "dev", ["ml_engineer"] = All, ["devops_engineer"] = "", ["model_consumer"] = "" },
        ["manage dead letters"] = new() { ["data_scientist"] = "", ["ml_engineer"] = "", ["devops_engineer"] = "", ["model_consumer"] = "" },
    };

    public static IEnumerable<object[]> Cases() =>
        from action in Seed.Keys
        from role in new[] { "admin", "data_scientist", "ml_engineer", "devops_engineer", "model_consumer" }
        from catalog in MatrixFixture.Catalogs
        select new object[] { role, action, catalog, role == "admin" || Seed[action][role].Split(',').Contains(catalog) };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_answer_is_the_seeds(string role, string action, string catalog, bool allowed)
    {
        var client = fixture.ByRole[role];

        var response = await SendAsync(client, action, catalog);

        var body = await response.Content.ReadAsStringAsync();
        if (allowed)
            Assert.True(response.IsSuccessStatusCode, $"{role} may {action} in {catalog}, got {(int)response.StatusCode}: {body}");
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("permission").GetString()));
            Assert.Contains(problem.GetProperty("permission").GetString()!, problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_refusal_is_audited_with_the_missing_permission()
    {
        var response = await fixture.ByRole["model_consumer"].PostAsJsonAsync("/api/ingestion/code-released",
            new { modelName = "prod.ml.churn", codeVersion = "refused1", trainer = "logistic_regression" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var detail = await fixture.Database.ScalarAsync<string>(
            "SELECT detail FROM audit.entries WHERE principal = 'model-consumer' AND action = 'code.released' AND outcome = 'denied' ORDER BY seq DESC LIMIT 1");
        Assert.Contains("models.write", detail);
    }

    private Task<HttpResponseMessage> SendAsync(HttpClient client, string action, string catalog)
    {
        var model = $"{catalog}.ml.churn";
        return action switch
        {
            "land data" => client.PostAsJsonAsync("/api/ingestion/data-landed",
                new { environment = catalog, batchId = Guid.NewGuid(), sourceTable = "raw.churn_customers", rowCount = 10 }),
            "land labels" => client.PostAsJsonAsync("/api/ingestion/labels-landed",
                new { modelName = model, labels = new[] { new { requestId = Guid.NewGuid(), rowIndex = 0, label = 1.0 } } }),
            "list runs" => client.GetAsync($"/api/runs?environment={catalog}"),
            "release code" => client.PostAsJsonAsync("/api/ingestion/code-released", new { modelName = model, codeVersion = "def456", trainer = "logistic_regression" }),
            "read model" => client.GetAsync($"/api/models/{model}/versions/1"),
            "search models" => client.GetAsync($"/api/models?catalog={catalog}&alias=champion"),
            "approve promotion" => client.PostAsJsonAsync($"/api/approvals/{fixture.PendingRun[catalog]}/approve", new { comment = "ok" }),
            "roll back" => client.PostAsJsonAsync($"/api/models/{model}/rollback", new { reason = "matrix" }),
            "query audit" => client.GetAsync("/api/audit/entries?limit=1"),
            "manage principals" => client.GetAsync("/api/principals"),
            "land a file" => client.PostAsync($"/api/raw/tables/raw.churn_customers/batches?environment={catalog}",
                new StringContent("customer_id,tenure_months,churned\n1,12,false\n", System.Text.Encoding.UTF8, "text/csv")),
            "land synthetic data" => client.PostAsJsonAsync("/api/simulator/batches", new { environment = catalog, rows = 5 }),
            "request run" => client.PostAsJsonAsync("/api/runs", new { modelName = model, reason = "matrix" }),
            "cancel run" => client.PostAsJsonAsync($"/api/runs/{fixture.PendingRun[catalog]}/cancel", new { reason = "matrix" }),
            "manage dead letters" => client.GetAsync("/api/dead-letters"),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
    }
}
