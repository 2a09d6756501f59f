using System.Net;
using System.Text;
using Mlops.Testing;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_serving_is_measured(ServingFixture fixture) : IClassFixture<ServingFixture>, IAsyncLifetime
{
    private const string Requests = "mlops.serving.requests";
    private const string Latency = "mlops.serving.request.duration";

    public async Task InitializeAsync()
    {
        var v1 = await fixture.RegisterAsync(intercept: -1.0, weight: 0.5);
        await fixture.MoveAliasAsync("champion", v1, null);
    }

    [Fact]
    public async Task Each_answer_is_counted_and_timed_per_model_and_status_and_the_log_lag_is_a_gauge()
    {
        using var meters = new HostMeters(fixture.Host.Services, Requests, Latency, "mlops.inference_log.lag", "mlops.inference_log.pending");
        var body = new { dataframe_records = new object[] { new { x = 2.0, color = "red" } } };
        await Eventually.WaitAsync(() => fixture.InvokeAsync(body), r => r.StatusCode == HttpStatusCode.OK, "the champion to load");
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.OK, (await fixture.InvokeAsync(body)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.InvokeAsync(body, "not a model name")).StatusCode);
        using var text = new StringContent("x", Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await fixture.Http.PostAsync($"/serving-endpoints/{ServingFixture.Model}/invocations", text)).StatusCode);

        var model = ("mlops.model", (object?)ServingFixture.Model);
        var ok = ("http.response.status_code", (object?)200);
        // The first request may have found the champion not loaded yet (a 404 counted under the refused name).
        Assert.Equal(5, meters.Of(Requests, model, ok).Sum());
        var latencies = meters.Of(Latency, model, ok);
        Assert.Equal(5, latencies.Count);
        Assert.All(latencies, seconds => Assert.InRange(seconds, 1e-7, 5));
        Assert.Equal(1, meters.Of(Requests, ("mlops.model", "(refused)"), ("http.response.status_code", 400)).Sum());
        Assert.Equal(1, meters.Of(Requests, ("mlops.model", "(refused)"), ("http.response.status_code", 415)).Sum());

        // Once the rows are written, nothing waits and the lag is back to zero.
        await Eventually.WaitAsync(() =>
        {
            meters.Observe();
            return Task.FromResult(meters.Of("mlops.inference_log.pending").SequenceEqual([0.0]) && meters.Of("mlops.inference_log.lag").SequenceEqual([0.0]));
        }, "the inference log drained");
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
