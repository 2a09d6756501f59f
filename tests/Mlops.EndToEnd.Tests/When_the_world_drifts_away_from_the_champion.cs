using System.Net.Http.Json;
using Mlops.Catalog.Features;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Simulator;
using Mlops.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// The closed loop over every service: the champion is served, shifted traffic reaches serving, monitoring confirms drift,
/// one retraining run on the fresh batch promotes a new champion, and serving swaps to it while requests keep coming.
/// </summary>
public sealed class When_the_world_drifts_away_from_the_champion(ClosedLoopFixture platform) : IClassFixture<ClosedLoopFixture>
{
    private static readonly ChurnFeatureDefinition Features = new();

    [Fact]
    public async Task Drift_retrains_once_and_serving_swaps_to_the_new_champion_without_a_failed_request()
    {
        var first = await platform.Lander.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 5_000, Seed = 7 }), "dev", "e2e-upstream");
        var bootstrap = await platform.FinishedRunAsync(() => platform.RunStartedByDetailAsync(first.ToString()), "the first batch");
        Assert.Equal("Completed", bootstrap.CurrentState);

        var shifted = new ChurnDataOptions { RowCount = 5_000, Seed = 31, FirstCustomerId = 100_001, Shift = 1.5, ConceptShift = 1.0 };
        await platform.Lander.LandAsync(ChurnDataGenerator.Generate(shifted), "dev", "e2e-upstream", "the shifted snapshot");
        await Eventually.WaitAsync(() => platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.triggers WHERE kind = 'raw_data_landed' AND disposition = 'ignored'"), n => n == 1, "the fresh batch to be only landed");

        var traffic = ChurnDataGenerator.Generate(shifted with { Seed = 41, RowCount = 1_000, FirstCustomerId = 200_001 }).Chunk(20).ToArray();
        var answers = new List<(int Status, int Version)>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 3).Select(client => Task.Run(async () =>
        {
            for (var i = client; !stop.IsCancellationRequested; i += 3)
            {
                var customers = traffic[i % traffic.Length];
                var (status, version, requestId) = await ScoreAsync(customers);
                lock (answers)
                    answers.Add((status, version));
                if (requestId is { } id)
                    await platform.Bus.Publish(new GroundTruthLanded
                    {
                        ModelName = PlatformFixture.Model, Environment = "dev", Principal = "e2e-labels",
                        Labels = customers.Select((c, row) => new GroundTruthLabel { RequestId = id, RowIndex = row, Label = c.Churned ? 1 : 0 }).ToList(),
                    });
            }
        })).ToList();

        var retraining = await platform.FinishedRunAsync(() => platform.Database.ScalarAsync<Guid?>(
            "SELECT run_id FROM pipeline.triggers WHERE kind IN ('drift_detected', 'performance_degraded') AND disposition = 'started' LIMIT 1"),
            "drift");
        Assert.Equal("Completed", retraining.CurrentState);
        var champion = await platform.Upstream.Services.GetRequiredService<ModelRegistry>().FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion);
        Assert.Equal(retraining.ModelVersion, champion);
        Assert.Equal(2, champion);

        await Eventually.WaitAsync(() => Task.FromResult(Count(answers, a => a.Version == 2)), n => n >= 20, "serving to answer with v2");
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Equal(1, await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.triggers WHERE kind IN ('drift_detected', 'performance_degraded') AND disposition = 'started'"));
        Assert.Contains(platform.Events.Of<ModelPromoted>(), e => e.Version == 2 && e.PreviousVersion == 1);
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.True(Count(answers, a => a.Version == 1) > 0, "serving never answered with v1 before the swap");
        Assert.Equal(1, await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM monitoring.reference_profiles WHERE model_name = @Model AND version = 2", new { Model = PlatformFixture.Model }));
    }

    private async Task<(int Status, int Version, Guid? RequestId)> ScoreAsync(IReadOnlyList<ChurnCustomer> customers)
    {
        var frame = Features.Compute(ChurnRawRows.From(customers));
        var records = Enumerable.Range(0, frame.RowCount).Select(row => frame.Columns.ToDictionary(c => c.Name, c => c.Type == FeatureType.Numeric
            ? double.IsNaN(frame.Numeric[c.Name][row]) ? null : (object?)frame.Numeric[c.Name][row]
            : frame.Categorical[c.Name][row])).ToList();
        using var response = await platform.Serving.PostAsJsonAsync($"/serving-endpoints/{PlatformFixture.Model}/invocations", new { dataframe_records = records });
        return response.IsSuccessStatusCode
            ? ((int)response.StatusCode, int.Parse(response.Headers.GetValues("X-Model-Version").Single()), Guid.Parse(response.Headers.GetValues("X-Request-Id").Single()))
            : ((int)response.StatusCode, 0, null);
    }

    private static int Count(List<(int Status, int Version)> answers, Func<(int Status, int Version), bool> predicate)
    {
        lock (answers)
            return answers.Count(predicate);
    }
}
