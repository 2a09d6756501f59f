using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Hosting.Telemetry;
using Mlops.Simulator;
using Mlops.Testing;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_a_newer_version_is_written(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task The_earlier_version_reads_exactly_as_it_was_written()
    {
        var firstCustomers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 2_000, Seed = 1 });
        var firstBatch = await environment.LandAsync(firstCustomers);
        var first = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), firstBatch)));
        var asWritten = await environment.FeatureStore.ReadVersionAsync(environment.ChurnTable, first.FeatureVersion);

        var secondBatch = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 2_500, Seed = 2, Shift = 1 }));
        var second = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), secondBatch)));
        var asReadLater = await environment.FeatureStore.ReadVersionAsync(environment.ChurnTable, first.FeatureVersion);

        Assert.Equal(first.FeatureVersion + 1, second.FeatureVersion);
        AssertSameRows(asWritten, asReadLater);
        Assert.Equal(firstCustomers.Select(c => c.CustomerId), asReadLater.EntityIds);
        Assert.Equal(firstCustomers.Select(c => (double)c.TenureMonths!.Value), asReadLater.Numeric["tenure_months"]);
        Assert.Equal(firstCustomers.Select(c => c.ContractType), asReadLater.Categorical["contract_type"]);
        Assert.Equal(firstCustomers.Select(c => c.Churned ? 1.0 : 0.0), asReadLater.Labels!);
        Assert.Equal(2_500, (await environment.FeatureStore.ReadVersionAsync(environment.ChurnTable, second.FeatureVersion)).RowCount);
    }

    [Fact]
    public async Task The_answer_carries_the_version_its_batch_and_statistics_and_the_verdict_is_recorded()
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 1_500, Seed = 3 });
        var batchId = await environment.LandAsync(customers);
        var runId = Guid.NewGuid();

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(runId, batchId)));

        Assert.Equal(FeatureRefreshEnvironment.Model, refreshed.ModelName);
        Assert.Equal("churn_features", refreshed.FeatureTable);
        Assert.Equal(1_500, refreshed.RowCount);
        Assert.Equal([batchId], refreshed.RawBatchIds);
        Assert.Equal(environment.ChurnTable.Columns.Select(c => c.Name), refreshed.Statistics.Select(s => s.Name));
        var monthly = refreshed.Statistics.Single(s => s.Name == "monthly_charges");
        Assert.Equal("numeric", monthly.Type);
        Assert.Equal(customers.Average(c => c.MonthlyCharges!.Value), monthly.Mean!.Value, 6);
        Assert.Equal(customers.Min(c => c.MonthlyCharges!.Value), monthly.Min);
        Assert.Equal(0, monthly.NullRate);
        var contract = refreshed.Statistics.Single(s => s.Name == "contract_type");
        Assert.Equal(("categorical", 3), (contract.Type, contract.DistinctValues));
        var perMonth = await environment.FeatureStore.ReadVersionAsync(environment.ChurnTable, refreshed.FeatureVersion);
        Assert.Equal(customers.Select(c => c.TotalCharges!.Value / Math.Max(c.TenureMonths!.Value, 1)), perMonth.Numeric["avg_charge_per_month"]);

        var version = await environment.FeatureStore.FindVersionAsync("churn_features", refreshed.FeatureVersion);
        Assert.Equal((runId, "tests", 1_500L), (version!.PipelineRunId, version.CreatedBy, version.RowCount));
        var verdict = Assert.Single(await environment.Database.QueryAsync<(int? Version, bool Passed)>(
            "SELECT version, passed FROM features.quality_results WHERE pipeline_run_id = @runId", new { runId }));
        Assert.Equal((refreshed.FeatureVersion, true), (verdict.Version, verdict.Passed));
    }

    [Fact]
    public async Task Without_a_batch_id_the_latest_batch_of_the_source_table_is_read()
    {
        await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 300, Seed = 4 }));
        var latest = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 400, Seed = 5 }));

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), batchId: null)));

        Assert.Equal([latest], refreshed.RawBatchIds);
        Assert.Equal(400, refreshed.RowCount);
    }

    [Fact]
    public async Task The_computation_is_a_span_tagged_with_the_run_and_the_model()
    {
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 200, Seed = 6 }));
        var runId = Guid.NewGuid();

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(runId, batchId)));

        var span = (await Eventually.WaitAsync(() => Task.FromResult(environment.Spans.Spans.Where(s =>
                s.OperationName == "compute features" && s.GetTagItem(MlopsTelemetry.RunIdTag) as string == runId.ToString()).ToList()),
            spans => spans.Count == 1, "the compute features span of the run"))[0];
        Assert.Equal(FeatureRefreshEnvironment.Model, span.GetTagItem(MlopsTelemetry.ModelTag));
        Assert.Equal(FeatureRefreshEnvironment.EnvironmentName, span.GetTagItem(MlopsTelemetry.EnvironmentTag));
        Assert.Equal(refreshed.FeatureVersion, span.GetTagItem("mlops.feature_version"));
    }

    private static void AssertSameRows(FeatureFrame expected, FeatureFrame actual)
    {
        Assert.Equal(expected.EntityIds, actual.EntityIds);
        foreach (var (name, values) in expected.Numeric)
            Assert.Equal(values, actual.Numeric[name]);
        foreach (var (name, values) in expected.Categorical)
            Assert.Equal(values, actual.Categorical[name]);
        Assert.Equal(expected.Labels!, actual.Labels!);
    }
}
