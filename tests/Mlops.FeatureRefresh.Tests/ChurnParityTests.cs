using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

/// <summary>
/// examples/features/churn.yaml, computed inside PostgreSQL, gives exactly the values the C# definition computed before it
/// (ChurnFeatureDefinition, kept for clients), including missing inputs and brand-new customers.
/// </summary>
public sealed class When_churn_features_are_computed_from_the_yaml(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task Every_value_equals_the_previous_csharp_computation()
    {
        var generated = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 3_000, Seed = 41, NullRate = 0.03 });
        ChurnCustomer[] edges =
        [
            new(900_001, null, 50, 500, 3, "one_year", "credit_card", "dsl", 40, false),
            new(900_002, 0, 70.5, 70.5, 2, "month_to_month", "mailed_check", "fiber_optic", 30, true),
            new(900_003, 7, 20, 140, null, "two_year", "bank_transfer", "no", null, false),
        ];
        var customers = generated.Concat(edges).OrderBy(c => c.CustomerId).ToList();
        Assert.Contains(customers, c => c.TenureMonths == 0 && c.CustomerId < 900_000);
        var batchId = await environment.LandAsync(customers);

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), batchId)));

        var stored = await environment.FeatureStore.ReadVersionAsync(environment.ChurnTable, refreshed.FeatureVersion);
        var expected = new ChurnFeatureDefinition().Compute(ChurnRawRows.From(customers));
        Assert.Equal(expected.EntityIds, stored.EntityIds);
        foreach (var column in expected.Columns)
        {
            if (column.Type == FeatureType.Numeric)
                Assert.Equal(expected.Numeric[column.Name], stored.Numeric[column.Name]);
            else
                Assert.Equal(expected.Categorical[column.Name], stored.Categorical[column.Name]);
        }
        Assert.Equal(expected.Labels!, stored.Labels!);

        var average = refreshed.Statistics.Single(s => s.Name == "avg_charge_per_month");
        var values = expected.Numeric["avg_charge_per_month"].Where(v => !double.IsNaN(v)).ToArray();
        Assert.Equal(values.Average(), average.Mean!.Value, 9);
        Assert.Equal((values.Min(), values.Max()), (average.Min, average.Max));
        Assert.Equal(3, refreshed.Statistics.Single(s => s.Name == "contract_type").DistinctValues);
    }
}
