using System.Collections.Concurrent;
using System.Net;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_a_new_champion_is_promoted_under_load(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task Requests_move_to_the_new_version_and_none_fails()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0.0, weight: 1.0);
        var v2 = await fixture.RegisterAsync(intercept: 0.5, weight: -1.0);
        await fixture.MoveAliasAsync("champion", v1, null);
        await Eventually.WaitAsync(() => fixture.InvokeAsync(Body), r => r.StatusCode == HttpStatusCode.OK, "v1 to be served");

        var outcomes = new ConcurrentQueue<(HttpStatusCode Status, int Version, double Prediction)>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await fixture.InvokeAsync(Body);
                var version = response.Headers.TryGetValues("X-Model-Version", out var values) ? int.Parse(values.Single()) : 0;
                var body = await response.Content.ReadAsStringAsync();
                var prediction = response.IsSuccessStatusCode
                    ? System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("predictions")[0].GetDouble()
                    : double.NaN;
                outcomes.Enqueue((response.StatusCode, version, prediction));
            }
        })).ToList();

        await Eventually.WaitAsync(() => Task.FromResult(outcomes.Count), n => n >= 100, "100 requests on v1");
        await fixture.MoveAliasAsync("champion", v2, v1);
        await Eventually.WaitAsync(() => Task.FromResult(outcomes.Count(o => o.Version == v2)), n => n >= 100, "100 requests on v2");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.True(outcomes.Count >= 200, $"only {outcomes.Count} requests were made");
        Assert.All(outcomes, o => Assert.Equal(HttpStatusCode.OK, o.Status));
        Assert.All(outcomes.Where(o => o.Version == v1), o => Assert.Equal(ServingFixture.Expected(0, 1, 2, "red"), o.Prediction, 12));
        Assert.All(outcomes.Where(o => o.Version == v2), o => Assert.Equal(ServingFixture.Expected(0.5, -1, 2, "red"), o.Prediction, 12));
        Assert.Equal(outcomes.Count, outcomes.Count(o => o.Version == v1) + outcomes.Count(o => o.Version == v2));
    }

    private static readonly object Body = new { dataframe_records = new object[] { new { x = 2.0, color = "red" } } };
}
