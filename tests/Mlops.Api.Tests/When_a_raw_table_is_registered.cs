using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// Bring your own data, first step: a raw table's schema registered over HTTP creates raw."name" with the batch column and
/// the key, records the schema, and is refused whole-class for names, types and keys that could not make a table.
/// </summary>
public sealed class When_a_raw_table_is_registered(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task It_creates_the_table_and_the_identical_schema_again_changes_nothing()
    {
        var name = "orders_" + Suffix();
        using var scientist = await fixture.PrincipalAsync("reg-" + Suffix(), "data_scientist");

        var created = await scientist.PostAsJsonAsync("/api/raw/tables", Orders(name));
        var again = await scientist.PostAsJsonAsync("/api/raw/tables", Orders(name));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"raw.{name}", body.GetProperty("name").GetString());
        Assert.True(body.GetProperty("created").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetBoolean());

        var columns = await fixture.Database.QueryAsync<(string, string, string)>("""
            SELECT column_name, data_type, is_nullable FROM information_schema.columns
            WHERE table_schema = 'raw' AND table_name = @name ORDER BY ordinal_position
            """, new { name });
        Assert.Equal(
            [("batch_id", "uuid", "NO"), ("order_id", "bigint", "NO"), ("customer_id", "bigint", "NO"), ("amount", "numeric", "YES"),
             ("ordered_at", "timestamp with time zone", "NO"), ("express", "boolean", "YES")],
            columns);
        var key = await fixture.Database.QueryAsync<string>("""
            SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = to_regclass('raw.' || quote_ident(@name)) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)
            """, new { name });
        Assert.Equal(["batch_id", "order_id"], key);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'raw_table.registered' AND resource = @resource AND outcome = 'succeeded'",
            new { resource = $"data:raw.{name}" }));

        var shown = await scientist.GetFromJsonAsync<JsonElement>($"/api/raw/tables/raw.{name}");
        Assert.Equal("ordered_at", shown.GetProperty("eventTime").GetString());
        Assert.Equal("numeric", shown.GetProperty("columns")[2].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Another_schema_under_a_registered_name_is_a_conflict_naming_the_difference()
    {
        var name = "orders_" + Suffix();
        await ApiFixture.EnsureAsync(await fixture.Admin.PostAsJsonAsync("/api/raw/tables", Orders(name)));

        var changed = await fixture.Admin.PostAsJsonAsync("/api/raw/tables", new
        {
            name = $"raw.{name}",
            columns = new object[]
            {
                new { name = "order_id", type = "bigint" }, new { name = "customer_id", type = "text", required = true },
                new { name = "amount", type = "numeric" }, new { name = "ordered_at", type = "timestamptz" }, new { name = "express", type = "boolean" },
            },
            key = new[] { "order_id" },
            eventTime = "ordered_at",
        });

        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Equal($"raw.{name} is already registered with another schema: column customer_id is text here but registered as bigint.",
            (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_churn_example_is_registered_like_any_other_table()
    {
        var churn = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/raw/tables/raw.churn_customers");

        Assert.Equal(["customer_id"], churn.GetProperty("key").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(10, churn.GetProperty("columns").GetArrayLength());
        var listed = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/raw/tables");
        Assert.Contains(listed.EnumerateArray(), t => t.GetProperty("name").GetString() == "raw.churn_customers");
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { """{"name":"Orders","columns":[{"name":"id","type":"bigint"}],"key":["id"]}""", "name", "'Orders' is not a raw table name" },
        { """{"name":"1orders","columns":[{"name":"id","type":"bigint"}],"key":["id"]}""", "name", "'1orders' is not a raw table name" },
        { """{"name":"orders; DROP TABLE raw.batches; --","columns":[{"name":"id","type":"bigint"}],"key":["id"]}""", "name", "is not a raw table name" },
        { """{"name":"raw.\"orders\"","columns":[{"name":"id","type":"bigint"}],"key":["id"]}""", "name", "is not a raw table name" },
        { """{"name":"public.orders","columns":[{"name":"id","type":"bigint"}],"key":["id"]}""", "name", "is not a raw table name" },
        { """{"name":"batches","columns":[{"name":"id","type":"bigint"}],"key":["id"]}""", "name", "raw.batches is the landing zone's own table" },
        { """{"name":"x","columns":[{"name":"id\" bigint); DROP TABLE raw.batches; --","type":"bigint"}],"key":["id"]}""", "columns[0].name", "is not a column name" },
        { """{"name":"x","columns":[{"name":"id","type":"varchar(10)"}],"key":["id"]}""", "columns[0].type", "'varchar(10)' is not a raw column type" },
        { """{"name":"x","columns":[{"name":"id","type":"bigint; DROP TABLE raw.batches"}],"key":["id"]}""", "columns[0].type", "is not a raw column type" },
        { """{"name":"x","columns":[{"name":"id","type":"bigint"},{"name":"id","type":"text"}],"key":["id"]}""", "columns[1].name", "column id is declared twice" },
        { """{"name":"x","columns":[{"name":"batch_id","type":"uuid"}],"key":["batch_id"]}""", "columns[0].name", "batch_id is added to every raw table" },
        { """{"name":"x","columns":[{"name":"id","type":"bigint"}],"key":["customer"]}""", "key[0]", "key column 'customer' is not one of the table's columns" },
        { """{"name":"x","columns":[{"name":"id","type":"bigint"}],"key":[]}""", "key", "key must name at least one column" },
        { """{"name":"x","columns":[],"key":["id"]}""", "columns", "columns must list at least one column" },
        { """{"name":"x","columns":[{"name":"id","type":"bigint"}],"key":["id"],"eventTime":"id"}""", "eventTime", "event-time column id is bigint" },
        { """{"name":"x","columns":[{"name":"id","type":"bigint"}],"key":["id"],"eventTime":"at"}""", "eventTime", "event-time column 'at' is not one of" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_schema_that_could_not_make_a_table_is_refused_naming_the_field(string json, string field, string reason)
    {
        var tables = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'raw'");

        var response = await fixture.Admin.PostAsync("/api/raw/tables", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(tables, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'raw'"));
    }

    [Fact]
    public async Task Every_problem_of_a_schema_is_named_at_once()
    {
        var response = await fixture.Admin.PostAsJsonAsync("/api/raw/tables", new
        {
            name = "Bad Name", columns = new object[] { new { name = "a", type = "money" }, new { name = "a", type = "text" } }, key = new[] { "b" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["name", "columns[0].type", "columns[1].name", "key[0]"], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_principal_that_may_write_no_catalog_is_refused_and_the_refusal_audited()
    {
        var name = "orders_" + Suffix();
        var principal = "cons-" + Suffix();
        using var consumer = await fixture.PrincipalAsync(principal, "model_consumer");

        var response = await consumer.PostAsJsonAsync("/api/raw/tables", Orders(name));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("catalog.write", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permission").GetString());
        Assert.Null(await fixture.Database.ScalarAsync<string?>("SELECT to_regclass('raw.' || quote_ident(@name))::text", new { name }));
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = @principal AND action = 'raw_table.registered' AND outcome = 'denied'", new { principal }));
    }

    /// <summary>An orders table: key order_id, event time ordered_at, an optional amount and flag.</summary>
    public static object Orders(string name) => new
    {
        name,
        columns = new object[]
        {
            new { name = "order_id", type = "bigint" }, new { name = "customer_id", type = "bigint", required = true },
            new { name = "amount", type = "numeric" }, new { name = "ordered_at", type = "timestamptz" }, new { name = "express", type = "boolean" },
        },
        key = new[] { "order_id" },
        eventTime = "ordered_at",
    };

    private static string Suffix() => Guid.NewGuid().ToString("N")[..6];
}
