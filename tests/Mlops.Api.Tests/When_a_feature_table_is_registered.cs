using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>POST /api/features/tables with a YAML body over real HTTP: registered, idempotent, versioned, refused with reasons, authorised and audited.</summary>
public sealed class When_a_feature_table_is_registered(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string Definition = """
        name: tenure_features
        source: raw.churn_customers
        entity: customer_id
        label: {name: churned, expression: CAST(churned AS integer)}
        features:
          - {name: tenure_years, type: numeric, expression: tenure_months / 12.0}
          - {name: contract, type: categorical, expression: upper(contract_type)}
        """;

    [Fact]
    public async Task An_identical_definition_changes_nothing_and_a_changed_one_is_the_next_definition_version()
    {
        using var dana = await fixture.PrincipalAsync("dana-features", "data_scientist");

        var first = await PostAsync(dana, Definition);
        var again = await PostAsync(dana, "# the same meaning, spelt differently\n" + Definition.Replace("tenure_months / 12.0", "TENURE_MONTHS/12.0"));
        var changed = await PostAsync(dana, Definition.Replace("12.0", "12.5"));
        var otherColumns = await PostAsync(dana, Definition.Replace("name: contract,", "name: contract_kind,"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal((1, true), await VersionAsync(first));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((1, false), await VersionAsync(again));
        Assert.Equal(HttpStatusCode.Created, changed.StatusCode);
        Assert.Equal((2, true), await VersionAsync(changed));
        Assert.Equal(HttpStatusCode.Conflict, otherColumns.StatusCode);
        Assert.Contains("a schema change needs a new feature table", await otherColumns.Content.ReadAsStringAsync());
        Assert.Equal(2, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM features.definitions WHERE table_name = 'tenure_features'"));
        Assert.Equal(2, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'dana-features' AND action = 'features.registered' AND resource = 'features:tenure_features' AND outcome = 'succeeded'"));
    }

    [Theory]
    [InlineData("tenure_months; DROP TABLE raw.churn_customers", "features[0].expression", "';' is not allowed")]
    [InlineData("pg_sleep(5)", "features[0].expression", "function 'pg_sleep' is not allowed")]
    [InlineData("contract_type", "features[0].expression", "declared numeric but its expression gives text")]
    [InlineData("no_such_column", "features[0].expression", "unknown column 'no_such_column'")]
    public async Task A_refused_definition_is_a_422_naming_the_field_and_the_reason(string expression, string field, string reason)
    {
        var yaml = $"name: refused_http\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - name: f\n    type: numeric\n    expression: '{expression}'\n";

        var response = await PostAsync(fixture.Admin, yaml);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Contains(field, problem.ToString());
        Assert.Contains("feature f", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM features.tables WHERE name = 'refused_http'"));
    }

    /// <summary>
    /// A feature table's entity key is stored, paged through and looked up by key as a bigint, so a source keyed by anything
    /// else (here a raw table keyed by text, with a column of every other type) is refused at registration, naming the field;
    /// an integer key of the same table is accepted.
    /// </summary>
    [Fact]
    public async Task A_key_that_is_not_a_whole_number_is_a_422_naming_the_entity_for_every_other_column_type()
    {
        var raw = await fixture.Admin.PostAsJsonAsync("/api/raw/tables", new
        {
            name = "raw.text_keyed",
            columns = new object[]
            {
                new { name = "code", type = "text" }, new { name = "small_id", type = "integer" }, new { name = "amount", type = "numeric" },
                new { name = "score", type = "double precision" }, new { name = "active", type = "boolean" },
                new { name = "seen_at", type = "timestamptz" }, new { name = "day", type = "date" },
            },
            key = new[] { "code" },
        });
        Assert.True(raw.IsSuccessStatusCode, await raw.Content.ReadAsStringAsync());

        foreach (var (column, type) in new[]
        {
            ("code", "text"), ("amount", "numeric"), ("score", "double precision"), ("active", "boolean"),
            ("seen_at", "timestamp with time zone"), ("day", "date"),
        })
        {
            var response = await PostAsync(fixture.Admin,
                $"name: text_keyed_features\nsource: raw.text_keyed\nentity: {column}\nfeatures:\n  - {{name: f, type: numeric, expression: score}}\n");

            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{column}: {response.StatusCode} {problem}");
            Assert.Contains($"entity '{column}' is {type}; it must be bigint or integer or smallint.", problem.GetProperty("detail").GetString());
            Assert.Contains("entity", problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM features.tables WHERE name = 'text_keyed_features'"));

        var labelled = await PostAsync(fixture.Admin, """
            name: text_keyed_labels
            source: raw.text_keyed
            entity: small_id
            label: {name: y, expression: score, source: raw.text_keyed, entity: code, timestamp: seen_at}
            features:
              - {name: f, type: numeric, expression: score}
            """);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, labelled.StatusCode);
        Assert.Contains("label.entity 'code' is text", await labelled.Content.ReadAsStringAsync());

        var integerKeyed = await PostAsync(fixture.Admin,
            "name: text_keyed_features\nsource: raw.text_keyed\nentity: small_id\nfeatures:\n  - {name: f, type: numeric, expression: score}\n");
        Assert.Equal(HttpStatusCode.Created, integerKeyed.StatusCode);
    }

    [Fact]
    public async Task A_caller_without_catalog_write_in_dev_is_refused_and_the_refusal_audited()
    {
        using var olga = await fixture.PrincipalAsync("olga-features", "devops_engineer");

        var response = await PostAsync(olga, Definition.Replace("tenure_features", "ops_features"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM features.tables WHERE name = 'ops_features'"));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'olga-features' AND action = 'features.registered' AND outcome = 'denied'"));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string yaml) =>
        client.PostAsync("/api/features/tables", new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    private static async Task<(int Version, bool Changed)> VersionAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("definitionVersion").GetInt32(), body.GetProperty("changed").GetBoolean());
    }
}
