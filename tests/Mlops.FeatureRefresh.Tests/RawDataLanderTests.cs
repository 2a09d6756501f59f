using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_upstream_lands_a_batch(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task Its_rows_are_in_the_raw_table_and_RawDataLanded_is_delivered()
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 3_000, Seed = 11, NullRate = 0.1 });

        var batchId = await environment.LandAsync(customers);

        var landed = (await environment.Recorded.WaitForAsync<RawDataLanded>(m => m.BatchId == batchId, "RawDataLanded of the batch")).Single();
        Assert.Equal(3_000, landed.RowCount);
        Assert.Equal("raw.churn_customers", landed.SourceTable);
        Assert.Equal(FeatureRefreshEnvironment.EnvironmentName, landed.Environment);
        Assert.Equal("tests-upstream", landed.Principal);
        Assert.True(landed.LandedAt > DateTimeOffset.UtcNow.AddMinutes(-5));

        Assert.Equal(3_000, await environment.Database.ScalarAsync<long>("SELECT row_count FROM raw.batches WHERE batch_id = @batchId", new { batchId }));
        var stored = await environment.Database.QueryAsync<ChurnCustomer>("""
            SELECT customer_id AS CustomerId, tenure_months AS TenureMonths, monthly_charges AS MonthlyCharges, total_charges AS TotalCharges,
                   support_calls AS SupportCalls, contract_type AS ContractType, payment_method AS PaymentMethod,
                   internet_service AS InternetService, age AS Age, churned AS Churned
            FROM raw.churn_customers WHERE batch_id = @batchId ORDER BY customer_id
            """, new { batchId });
        Assert.Equal(customers, stored);
    }

    [Fact]
    public async Task Fifty_thousand_rows_land_in_seconds()
    {
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 50_000, Seed = 12 });

        var watch = Stopwatch.StartNew();
        var batchId = await environment.LandAsync(customers);
        watch.Stop();

        Assert.Equal(50_000, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM raw.churn_customers WHERE batch_id = @batchId", new { batchId }));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"Landing 50,000 rows took {watch.Elapsed.TotalSeconds:0.0} s");
        await environment.Recorded.WaitForAsync<RawDataLanded>(m => m.BatchId == batchId && m.RowCount == 50_000, "RawDataLanded of the large batch");
    }

    [Fact]
    public async Task A_batch_with_a_bad_environment_is_refused_and_leaves_nothing()
    {
        var before = await environment.Database.ScalarAsync<long>("SELECT count(*) FROM raw.batches");

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => environment.Upstream.Services
            .GetRequiredService<RawDataLander>().LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 10 }), "qa", "tests-upstream"));

        Assert.Contains("'qa' is not an environment", refused.Message);
        Assert.Equal(before, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM raw.batches"));
    }
}
