using System.Net;
using System.Net.Http.Json;
using Mlops.Contracts;
using Mlops.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class ReconcilingCanaryServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serving:ReconcileInterval"] = "00:00:01",
        [$"Serving:Traffic:{Model}:CanaryPercent"] = "100",
    };
}

internal static class Versions
{
    public static int Of(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Model-Version", out var values) ? int.Parse(values.Single()) : 0;

    public static readonly object Body = new { dataframe_records = new[] { new { x = 0.0, color = "blue" } } };

    /// <summary>Answers until <paramref name="until"/> holds, failing if any answer came from <paramref name="never"/>.</summary>
    public static Task<int> WaitAsync(ServingFixture fixture, Func<int, bool> until, int never, string what) =>
        Eventually.WaitAsync(async () =>
        {
            var version = Of(await fixture.InvokeAsync(Body));
            Assert.NotEqual(never, version);
            return version;
        }, until, what);
}

public sealed class When_an_instance_misses_a_promotion(ReconcilingCanaryServingFixture fixture) : IClassFixture<ReconcilingCanaryServingFixture>
{
    [Fact]
    public async Task It_follows_the_registry_within_the_reconcile_interval()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        var v2 = await fixture.RegisterAsync(intercept: 1, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await Versions.WaitAsync(fixture, v => v == v1, -1, "v1 to be served");

        await fixture.MoveAliasAsync("champion", v2, v1, announce: false);
        await Versions.WaitAsync(fixture, v => v == v2, -1, "the unannounced promotion of v2 to be followed");

        await fixture.MoveAliasAsync("champion", v1, v2, announce: false);
        await Versions.WaitAsync(fixture, v => v == v1, -1, "the unannounced rollback to v1 to be followed");
    }
}

public sealed class When_the_evaluation_rejects_the_challenger(ReconcilingCanaryServingFixture fixture) : IClassFixture<ReconcilingCanaryServingFixture>
{
    [Fact]
    public async Task The_rejected_version_never_answers_even_with_all_traffic_canaried()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        var rejected = await fixture.RegisterAsync(intercept: -2, weight: 1);
        var v3 = await fixture.RegisterAsync(intercept: 1, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await Versions.WaitAsync(fixture, v => v == v1, rejected, "v1 to be served");

        await fixture.PublishAsync(new ChallengerEvaluated
        {
            CorrelationId = Guid.NewGuid(), ModelName = ServingFixture.Model, Environment = "dev", Principal = "test", ChallengerVersion = rejected,
            ChampionVersion = v1, Metric = "auc", Promote = false, Reason = "worse than the champion",
        });
        var models = fixture.Host.Services.GetRequiredService<Mlops.Serving.Models.ServedModels>();
        await Eventually.WaitAsync(() => Task.FromResult(models.WasRejected(ServingFixture.Model, rejected)), "the rejection to be heard");
        // As Promotion did before it learnt to move the alias only for accepted versions.
        await fixture.MoveAliasAsync("challenger", rejected, null, announce: false);

        // A later unannounced change proves reconciles ran meanwhile; the rejected challenger answered none of the requests.
        await fixture.MoveAliasAsync("champion", v3, v1, announce: false);
        await Versions.WaitAsync(fixture, v => v == v3, rejected, "v3 to be served");
        for (var i = 0; i < 20; i++)
            Assert.Equal(v3, Versions.Of(await fixture.InvokeAsync(Versions.Body)));
    }
}

public sealed class When_the_challenger_is_archived_after_loading(ReconcilingCanaryServingFixture fixture) : IClassFixture<ReconcilingCanaryServingFixture>
{
    [Fact]
    public async Task It_stops_getting_canary_traffic_at_the_next_reconcile()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        var v2 = await fixture.RegisterAsync(intercept: -2, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await fixture.MoveAliasAsync("challenger", v2, null);
        await Versions.WaitAsync(fixture, v => v == v2, -1, "the accepted challenger to take the canary traffic");

        await fixture.Database.ExecuteAsync("UPDATE registry.model_versions SET status = 'archived' WHERE model_name = @Model AND version = @v2",
            new { ServingFixture.Model, v2 });

        await Versions.WaitAsync(fixture, v => v == v1, -1, "the champion to answer again");
        for (var i = 0; i < 20; i++)
            Assert.Equal(v1, Versions.Of(await fixture.InvokeAsync(Versions.Body)));
    }
}

public sealed class SlowReconcileServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serving:ReconcileInterval"] = "01:00:00",
    };
}

public sealed class When_the_broker_connection_drops(SlowReconcileServingFixture fixture) : IClassFixture<SlowReconcileServingFixture>
{
    [Fact]
    public async Task The_instance_reconciles_when_it_reconnects()
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        var v2 = await fixture.RegisterAsync(intercept: 1, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await Versions.WaitAsync(fixture, v => v == v1, -1, "v1 to be served");

        // Published while this instance's swap queue does not exist: never delivered to it.
        await fixture.MoveAliasAsync("champion", v2, v1, announce: false);
        using var management = new HttpClient { BaseAddress = new Uri($"http://{TestInfrastructure.RabbitMqHost}:{TestInfrastructure.RabbitMqManagementPort}/api/") };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{TestInfrastructure.RabbitMqUser}:{TestInfrastructure.RabbitMqPassword}")));
        var connections = await Eventually.WaitAsync(
            () => management.GetFromJsonAsync<List<System.Text.Json.JsonElement>>($"vhosts/{Uri.EscapeDataString(fixture.VirtualHost)}/connections"),
            c => c is { Count: > 0 }, "the serving connection to be listed");
        foreach (var connection in connections!)
            (await management.DeleteAsync($"connections/{Uri.EscapeDataString(connection.GetProperty("name").GetString()!)}")).EnsureSuccessStatusCode();

        // The hourly reconcile cannot be what moves it: only the reconnect can.
        await Versions.WaitAsync(fixture, v => v == v2, -1, "the reconnect to bring v2");
    }
}
