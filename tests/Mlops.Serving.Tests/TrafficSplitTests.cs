using System.Net;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class ShadowServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        [$"Serving:Traffic:{Model}:ShadowChallenger"] = "true",
    };
}

public sealed class CanaryServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        [$"Serving:Traffic:{Model}:CanaryPercent"] = "100",
    };
}

public sealed class When_the_challenger_shadows_the_champion(ShadowServingFixture fixture) : IClassFixture<ShadowServingFixture>
{
    [Fact]
    public async Task Callers_get_the_champion_and_the_challenger_s_predictions_are_logged_as_shadow()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        var v2 = await fixture.RegisterAsync(intercept: 2, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await fixture.MoveAliasAsync("challenger", v2, null);
        var body = new { dataframe_records = new[] { new { x = 0.0, color = "blue" } } };

        var response = await Eventually.WaitAsync(() => fixture.InvokeAsync(body),
            r => r.StatusCode == HttpStatusCode.OK, "the champion to load");
        var requestId = await Eventually.WaitAsync(async () =>
        {
            var r = await fixture.InvokeAsync(body);
            var id = Guid.Parse(r.Headers.GetValues("X-Request-Id").Single());
            var shadows = await Eventually.WaitAsync(() => fixture.Database.ScalarAsync<long>(
                "SELECT count(*) FROM serving.inference_log WHERE request_id = @id", new { id }), n => n >= 1, "the request's rows");
            return (Id: id, Version: r.Headers.GetValues("X-Model-Version").Single(), Rows: shadows);
        }, x => x.Rows == 2, "a request shadowed by the challenger (the challenger loads when its alias moves)");

        Assert.Equal(v1.ToString(), requestId.Version);
        var rows = await fixture.Database.QueryAsync<(int Version, bool Shadow, double Prediction)>(
            "SELECT model_version, shadow, prediction FROM serving.inference_log WHERE request_id = @Id ORDER BY shadow", new { requestId.Id });
        Assert.Equal((v1, false), (rows[0].Version, rows[0].Shadow));
        Assert.Equal((v2, true), (rows[1].Version, rows[1].Shadow));
        Assert.Equal(ServingFixture.Expected(2, 1, 0, "blue"), rows[1].Prediction, 12);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

public sealed class When_all_traffic_is_canaried(CanaryServingFixture fixture) : IClassFixture<CanaryServingFixture>
{
    [Fact]
    public async Task The_challenger_answers()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        var v2 = await fixture.RegisterAsync(intercept: -2, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await fixture.MoveAliasAsync("challenger", v2, null);

        var response = await Eventually.WaitAsync(() => fixture.InvokeAsync(new { dataframe_records = new[] { new { x = 0.0, color = "blue" } } }),
            r => r.Headers.TryGetValues("X-Model-Version", out var v) && v.Single() == v2.ToString(), "the challenger to answer");

        var prediction = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions")[0].GetDouble();
        Assert.Equal(ServingFixture.Expected(-2, 1, 0, "blue"), prediction, 12);
    }
}
