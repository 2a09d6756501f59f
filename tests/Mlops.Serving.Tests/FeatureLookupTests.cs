using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Mlops.Hosting.Data;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_a_request_names_entity_keys(FeatureLookupFixture fixture) : IClassFixture<FeatureLookupFixture>
{
    private const string Dev = ServingFixture.Model;
    private const string Prod = FeatureLookupFixture.ProdModel;

    private static double DevExpected(double x, string? color) => ServingFixture.Expected(-1.0, 0.5, x, color);

    private static double ProdExpected(double x, string? color) => ServingFixture.Expected(0.3, -0.7, x, color);

    /// <summary>The champions were set before the class started: each model loads on its first request.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> InvokeAsync(object body, string model = Dev)
    {
        var response = await fixture.InvokeAsync(body, model);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(), response);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> InvokeRawAsync(string json, string model = Dev)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await fixture.Http.PostAsync($"/serving-endpoints/{model}/invocations", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static double[] Predictions(JsonElement body) => body.GetProperty("predictions").EnumerateArray().Select(p => p.GetDouble()).ToArray();

    [Fact]
    public async Task Keys_alone_get_the_same_predictions_as_the_full_features_in_every_request_shape()
    {
        var (status, body, _) = await InvokeAsync(new { dataframe_records = new object[] { new { x = 2.0, color = "red" }, new { x = -3.5, color = "blue" }, new { x = 0.5, color = (string?)null } } });
        Assert.Equal(HttpStatusCode.OK, status);
        var full = Predictions(body);
        Assert.Equal([DevExpected(2.0, "red"), DevExpected(-3.5, "blue"), DevExpected(0.5, null)], full);

        object[] shapes =
        [
            new { dataframe_records = new object[] { new { customer_id = 1 }, new { customer_id = 2 }, new { customer_id = 3 } } },
            new { instances = new object[] { new { customer_id = 1 }, new { customer_id = 2 }, new { customer_id = 3 } } },
            new { dataframe_split = new { columns = new[] { "customer_id" }, data = new object[] { new[] { 1 }, new[] { 2 }, new[] { 3 } } } },
            new { inputs = new { customer_id = new[] { 1, 2, 3 } } },
        ];
        foreach (var shape in shapes)
        {
            var (keyStatus, keyBody, _) = await InvokeAsync(shape);
            Assert.True(keyStatus == HttpStatusCode.OK, keyBody.ToString());
            Assert.Equal(full, Predictions(keyBody));
        }
    }

    [Fact]
    public async Task The_log_holds_the_merged_features_of_a_request_by_key()
    {
        var (status, _, response) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 2, x = 7.0 } } });
        Assert.Equal(HttpStatusCode.OK, status);
        var requestId = Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());

        var rows = await Eventually.WaitAsync(() => fixture.Database.QueryAsync<(string Features, double Prediction)>(
                "SELECT features::text, prediction FROM serving.inference_log WHERE request_id = @requestId", new { requestId }),
            r => r.Count == 1, "the logged prediction");
        using var features = JsonDocument.Parse(rows.Single().Features);
        Assert.Equal(7.0, features.RootElement.GetProperty("x").GetDouble());
        Assert.Equal("blue", features.RootElement.GetProperty("color").GetString());
        Assert.False(features.RootElement.TryGetProperty("customer_id", out _));
        Assert.Equal(DevExpected(7.0, "blue"), rows.Single().Prediction, 12);
    }

    [Fact]
    public async Task Features_sent_with_the_key_override_the_stored_ones()
    {
        var (status, body, _) = await InvokeAsync(new
        {
            dataframe_records = new object[]
            {
                new { customer_id = 1, x = 10.0 },
                new { customer_id = 1, color = "blue" },
                new { customer_id = 1, color = (string?)null },
                new { customer_id = 99_999, x = 1.0, color = "red" },
            },
        });
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        // The last row carries every input: it is scored as sent, and its unknown key is never looked up.
        Assert.Equal([DevExpected(10.0, "red"), DevExpected(2.0, "blue"), DevExpected(2.0, null), DevExpected(1.0, "red")], Predictions(body));
    }

    [Fact]
    public async Task An_unknown_key_is_a_404_naming_it()
    {
        var (status, body, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 424_242 } } });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", body.GetProperty("error_code").GetString());
        Assert.Contains("customer_id 424242", body.GetProperty("message").GetString());
        Assert.Equal([424_242L], body.GetProperty("unknown_keys").EnumerateArray().Select(k => k.GetInt64()));
        Assert.Equal("customer_id", body.GetProperty("entity_column").GetString());
    }

    [Fact]
    public async Task Known_and_unknown_keys_together_name_only_the_unknown_ones_and_nothing_is_scored()
    {
        var before = await LoggedAfterAsync();
        var (status, body, _) = await InvokeAsync(new
        {
            dataframe_records = new object[] { new { customer_id = 1 }, new { customer_id = 777 }, new { customer_id = 2 }, new { customer_id = 778 }, new { customer_id = 777 } },
        });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal([777L, 778L], body.GetProperty("unknown_keys").EnumerateArray().Select(k => k.GetInt64()));
        Assert.EndsWith("customer_id 777, 778 in feature table scoring_features (dev).", body.GetProperty("message").GetString());
        Assert.Equal(before + 1, await LoggedAfterAsync());
    }

    /// <summary>Rows logged once a fresh request's row is: the log writes in order, so everything answered before it is in.</summary>
    private async Task<long> LoggedAfterAsync()
    {
        var (status, _, response) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 1 } } });
        Assert.Equal(HttpStatusCode.OK, status);
        var requestId = Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());
        await Eventually.WaitAsync(async () => await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM serving.inference_log WHERE request_id = @requestId", new { requestId }) == 1, "the request logged");
        return await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log");
    }

    public static TheoryData<string, string> WrongKeys => new()
    {
        { "{\"dataframe_records\": [{\"customer_id\": \"1\"}]}", "dataframe_records[0].customer_id must be an integer entity key (a bigint), not the string \"1\"" },
        { "{\"dataframe_records\": [{\"customer_id\": 1.5}]}", "dataframe_records[0].customer_id must be an integer entity key (a bigint), not the number 1.5" },
        { "{\"dataframe_records\": [{\"customer_id\": 1.0}]}", "not the number 1.0" },
        { "{\"dataframe_records\": [{\"customer_id\": 1e30}]}", "not the number 1e30" },
        { "{\"dataframe_records\": [{\"customer_id\": 9223372036854775808}]}", "not the number 9223372036854775808" },
        { "{\"dataframe_records\": [{\"customer_id\": null}]}", "not null" },
        { "{\"dataframe_records\": [{\"customer_id\": true}]}", "not a boolean" },
        { "{\"dataframe_records\": [{\"customer_id\": [1]}]}", "not an array" },
        { "{\"dataframe_records\": [{\"customer_id\": {\"id\": 1}}]}", "not an object" },
        { "{\"dataframe_records\": [{\"customer_id\": 1}, {\"customer_id\": \"two\"}]}", "dataframe_records[1].customer_id must be an integer entity key" },
        { "{\"dataframe_split\": {\"columns\": [\"customer_id\"], \"data\": [[\"1\"]]}}", "dataframe_split.data[0].customer_id must be an integer entity key" },
        { "{\"inputs\": {\"customer_id\": [1, false]}}", "inputs.customer_id[1] must be an integer entity key (a bigint), not a boolean" },
        { "{\"inputs\": {\"customer_id\": 1}}", "inputs has no array for column 'customer_id'" },
        { "{\"inputs\": {\"customer_id\": [1, 2], \"x\": [1]}}", "inputs column 'customer_id' has 2 values where 'x' has 1" },
        { "{\"dataframe_records\": [{\"customer_id\": 1, \"x\": \"1\"}]}", "dataframe_records[0].x must be a number" },
        { "{\"dataframe_records\": [{\"x\": 1}]}", "dataframe_records[0] has no column 'color', which the model requires, and no entity key 'customer_id'" },
        { "{\"dataframe_records\": [{\"customer\": 1}]}", "no entity key 'customer_id' to look its features up by" },
    };

    [Theory]
    [MemberData(nameof(WrongKeys))]
    public async Task Keys_of_the_wrong_type_or_rows_without_a_key_are_a_400_naming_the_place(string json, string message)
    {
        await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 1 } } });
        var (status, body) = await InvokeRawAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("BAD_REQUEST", body.GetProperty("error_code").GetString());
        Assert.Contains(message, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_prod_model_is_served_prod_s_features_and_never_dev_s()
    {
        var (status, body, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 1 }, new { customer_id = 10 } } }, Prod);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal([ProdExpected(4.0, "blue"), ProdExpected(1.0, "red")], Predictions(body));

        var (devOnly, devOnlyBody, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 2 } } }, Prod);
        Assert.Equal(HttpStatusCode.NotFound, devOnly);
        Assert.Equal([2L], devOnlyBody.GetProperty("unknown_keys").EnumerateArray().Select(k => k.GetInt64()));
        Assert.Contains("(prod)", devOnlyBody.GetProperty("message").GetString());

        var (prodOnly, prodOnlyBody, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 10 } } });
        Assert.Equal(HttpStatusCode.NotFound, prodOnly);
        Assert.Equal([10L], prodOnlyBody.GetProperty("unknown_keys").EnumerateArray().Select(k => k.GetInt64()));
    }

    [Fact]
    public async Task A_newer_version_published_is_served_at_once()
    {
        var (before, beforeBody, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 6 } } });
        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal([DevExpected(0.25, "blue")], Predictions(beforeBody));

        await fixture.PublishVersionAsync("dev", new Dictionary<long, (double X, string? Color)> { [6] = (-1.5, "red"), [7] = (0.0, "blue") });

        var (after, afterBody, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 6 }, new { customer_id = 7 }, new { customer_id = 2 } } });
        Assert.True(after == HttpStatusCode.OK, afterBody.ToString());
        // Key 2 is not in the new version: it keeps what the earlier version gave it.
        Assert.Equal([DevExpected(-1.5, "red"), DevExpected(0.0, "blue"), DevExpected(-3.5, "blue")], Predictions(afterBody));
    }

    [Fact]
    public async Task Serving_s_role_reads_the_online_store_and_can_change_nothing_there_nor_read_the_offline_tables()
    {
        await using var connection = await fixture.Database.OpenAsAsync(DatabaseAccessPolicy.RoleOf("serving"));

        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM features_online.scoring_features") > 0);
        foreach (var sql in new[]
        {
            "UPDATE features_online.scoring_features SET x = 0",
            "DELETE FROM features_online.scoring_features",
            "INSERT INTO features_online.scoring_features (environment, customer_id, version, published_at, x) VALUES ('prod', 99, 99, now(), 1)",
            "DELETE FROM features_online.publications",
            "SELECT count(*) FROM features.scoring_features",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    [Fact]
    public async Task A_model_whose_feature_table_is_not_online_still_needs_every_input()
    {
        var (status, body, _) = await InvokeAsync(new { dataframe_records = new object[] { new { customer_id = 1 } } }, FeatureLookupFixture.UnpublishedModel);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("dataframe_records[0] has no column 'x', which the model requires.", body.GetProperty("message").GetString());
    }
}
