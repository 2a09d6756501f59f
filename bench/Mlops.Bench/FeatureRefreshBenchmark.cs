using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.FeatureRefresh;
using Mlops.Simulator;

namespace Mlops.Bench;

/// <summary>
/// P7: the feature refresh service computing a feature table version from one landed raw batch, from the RefreshFeatures
/// command to its answer (read, compute in PostgreSQL from churn.yaml, quality checks, write, in the service's own step worker). Issue 12 sets no goal
/// and names no baseline: the seconds are reported, with the landing time beside them.
/// </summary>
public static class FeatureRefreshBenchmark
{
    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int rows)
    {
        // The service first: its migrations create the raw tables the upstream host lands into.
        await using var service = await BenchBus.StartAsync(infrastructure, service: builder => builder.AddFeatureRefreshService(), name: "feature-refresh");
        var answer = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await BenchBus.StartAsync(infrastructure, configure: builder => builder.Services.AddMlopsSimulator(), name: "upstream");
        var answers = upstream.Services.GetRequiredService<IReceiveEndpointConnector>().ConnectReceiveEndpoint("bench-refresh-answers", (_, cfg) =>
        {
            cfg.Handler<FeatureTableRefreshed>(context => Answer(context.Message));
            cfg.Handler<DataQualityViolated>(context => Answer(context.Message));
            cfg.Handler<FeatureRefreshFailed>(context => Answer(context.Message));
        });
        await answers.Ready;

        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = rows, Seed = 7 });
        var watch = Stopwatch.StartNew();
        var batchId = await upstream.Services.GetRequiredService<RawDataLander>().LandAsync(customers, "dev", "bench", "bench P7");
        var landing = watch.Elapsed.TotalSeconds;

        watch.Restart();
        await upstream.Bus.Publish(new RefreshFeatures
        {
            CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.churn", Environment = "dev", Principal = "bench",
            FeatureTable = ChurnFeatureDefinition.TableName, SourceTable = RawDataLander.SourceTable, RawBatchId = batchId,
        });
        var result = await answer.Task.WaitAsync(TimeSpan.FromMinutes(10));
        var refresh = watch.Elapsed.TotalSeconds;
        if (result is not FeatureTableRefreshed refreshed)
            throw new InvalidOperationException($"The refresh did not write a version: {result}");

        Console.WriteLine($"P7 feature refresh, {rows:N0} raw rows: {refresh:F2} s command to answer ({refreshed.RowCount:N0} feature rows); landing took {landing:F2} s");
        return new BenchResult
        {
            Id = "P7",
            Measure = $"feature refresh of {rows:N0} raw rows, RefreshFeatures to FeatureTableRefreshed",
            Unit = "s",
            Ours = refresh,
            Baseline = 0,
            Goal = double.NaN,
            GoalText = "none set",
            Details = new Dictionary<string, double> { ["landing_s"] = Math.Round(landing, 2), ["rows_per_s"] = Math.Round(rows / refresh) },
        };

        Task Answer(object message)
        {
            answer.TrySetResult(message);
            return Task.CompletedTask;
        }
    }
}
