using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_the_batch_has_nulls(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task The_run_stops_with_DataQualityViolated_and_no_version_is_written()
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 2_000, Seed = 21, NullRate = 0.2 });
        var blanked = customers.Count(c => c.MonthlyCharges is null);
        var batchId = await environment.LandAsync(customers);
        var runId = Guid.NewGuid();

        var violated = Assert.IsType<DataQualityViolated>(await environment.RefreshAsync(environment.Command(runId, batchId)));

        Assert.Equal(("feature_refresh", "churn_features", FeatureRefreshEnvironment.Model), (violated.Source, violated.FeatureTable, violated.ModelName));
        var rate = $"{blanked * 100.0 / 2_000:0.0}%";
        foreach (var feature in new[] { "monthly_charges", "total_charges", "payment_method", "avg_charge_per_month" })
            Assert.Contains($"Feature {feature} is null in {blanked} of 2000 rows ({rate}), above the 5.0% limit.", violated.Violations);
        Assert.DoesNotContain(violated.Violations, v => v.Contains("tenure_months") || v.Contains("contract_type"));

        Assert.Equal(0, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.table_versions WHERE pipeline_run_id = @runId", new { runId }));
        var verdict = Assert.Single(await environment.Database.QueryAsync<(int? Version, bool Passed, string Violations)>(
            "SELECT version, passed, violations::text FROM features.quality_results WHERE pipeline_run_id = @runId", new { runId }));
        Assert.Equal((null, false), (verdict.Version, verdict.Passed));
        Assert.Contains($"Feature monthly_charges is null in {blanked} of 2000 rows", verdict.Violations);
    }

    [Fact]
    public async Task A_few_nulls_below_the_limit_pass()
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 2_000, Seed = 22, NullRate = 0.02 });
        var batchId = await environment.LandAsync(customers);

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), batchId)));

        var monthly = refreshed.Statistics.Single(s => s.Name == "monthly_charges");
        Assert.Equal(customers.Count(c => c.MonthlyCharges is null) / 2_000.0, monthly.NullRate, 10);
        Assert.InRange(monthly.NullRate, 0.005, 0.05);
    }
}

public sealed class When_the_batch_is_empty(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task The_run_stops_with_DataQualityViolated_and_no_version_is_written()
    {
        var batchId = await environment.LandAsync([]);
        var runId = Guid.NewGuid();

        var violated = Assert.IsType<DataQualityViolated>(await environment.RefreshAsync(environment.Command(runId, batchId)));

        Assert.Equal([$"Batch {batchId} of raw.churn_customers has 0 rows; a feature table version needs at least 1."], violated.Violations);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions"));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.quality_results WHERE pipeline_run_id = @runId AND NOT passed", new { runId }));
    }
}

public sealed class When_the_source_table_changed(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task The_run_stops_with_every_schema_difference_and_no_version_is_written()
    {
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 500, Seed = 31 }));
        await environment.Database.ExecuteAsync("""
            ALTER TABLE raw.churn_customers RENAME COLUMN support_calls TO support_tickets;
            ALTER TABLE raw.churn_customers ADD COLUMN loyalty_tier text;
            """);
        var runId = Guid.NewGuid();

        var violated = Assert.IsType<DataQualityViolated>(await environment.RefreshAsync(environment.Command(runId, batchId)));

        Assert.Equal(
            [
                "Schema change in raw.churn_customers: column support_calls (integer) is missing.",
                "Schema change in raw.churn_customers: unexpected column support_tickets (integer).",
                "Schema change in raw.churn_customers: unexpected column loyalty_tier (text).",
            ],
            violated.Violations);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions"));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.quality_results WHERE pipeline_run_id = @runId AND NOT passed", new { runId }));
    }
}
