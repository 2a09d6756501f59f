using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_a_champion_is_served(ServingFixture fixture) : IClassFixture<ServingFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        if (await fixture.Database.ScalarAsync<int?>("SELECT version FROM registry.aliases WHERE alias = 'champion'") is null)
        {
            var v1 = await fixture.RegisterAsync(intercept: -1.0, weight: 0.5);
            await fixture.MoveAliasAsync("champion", v1, null);
        }
    }

    [Fact]
    public async Task Every_request_shape_gets_the_champion_s_predictions()
    {
        double[] expected = [ServingFixture.Expected(-1, 0.5, 2.0, "red"), ServingFixture.Expected(-1, 0.5, -3.5, "blue")];
        object[] shapes =
        [
            new { dataframe_records = new object[] { new { x = 2.0, color = "red" }, new { x = -3.5, color = "blue", unused = 7 } } },
            new { dataframe_split = new { columns = new[] { "color", "x" }, data = new object[] { new object[] { "red", 2.0 }, new object[] { "blue", -3.5 } } } },
            new { inputs = new { x = new[] { 2.0, -3.5 }, color = new[] { "red", "blue" } } },
            new { inputs = new object[] { new { x = 2.0, color = "red" }, new { x = -3.5, color = "blue" } } },
        ];

        foreach (var shape in shapes)
        {
            var response = await Eventually.WaitAsync(() => fixture.InvokeAsync(shape), r => r.StatusCode != HttpStatusCode.NotFound, "the champion to load");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("1", response.Headers.GetValues("X-Model-Version").Single());
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            var predictions = body.GetProperty("predictions").EnumerateArray().Select(p => p.GetDouble()).ToArray();
            Assert.Equal(expected.Length, predictions.Length);
            for (var i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], predictions[i], 12);
        }
    }

    [Fact]
    public async Task Each_row_is_logged_with_its_request_id_version_and_features()
    {
        var response = await fixture.InvokeAsync(new { dataframe_records = new object[] { new { x = 1.25, color = (string?)null } } });
        var requestId = Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());

        var rows = await Eventually.WaitAsync(() => fixture.Database.QueryAsync<(int RowIndex, int Version, bool Shadow, string Features, double Prediction)>(
                "SELECT row_index, model_version, shadow, features::text, prediction FROM serving.inference_log WHERE request_id = @requestId", new { requestId }),
            r => r.Count == 1, "the logged prediction");

        var row = rows.Single();
        Assert.Equal((0, 1, false), (row.RowIndex, row.Version, row.Shadow));
        Assert.Equal(ServingFixture.Expected(-1, 0.5, 1.25, null), row.Prediction, 12);
        using var features = JsonDocument.Parse(row.Features);
        Assert.Equal(1.25, features.RootElement.GetProperty("x").GetDouble());
        Assert.Equal(JsonValueKind.Null, features.RootElement.GetProperty("color").ValueKind);
        var batchId = await fixture.Database.ScalarAsync<Guid>("SELECT log_batch_id FROM serving.inference_log WHERE request_id = @requestId", new { requestId });
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%PredictionsLogged%' AND body LIKE '%' || @id || '%'", new { id = batchId.ToString() }));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
