using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

/// <summary>A registered YAML table's quality rules, checked in SQL over the new version, and data PostgreSQL refuses while computing.</summary>
public sealed class When_a_yaml_table_is_refreshed_against_its_rules(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task Each_broken_rule_is_a_violation_with_its_numbers_and_no_version_is_written()
    {
        await environment.RegisterAsync("""
            name: strict_features
            source: raw.churn_customers
            entity: customer_id
            features:
              - {name: tenure, type: numeric, expression: tenure_months}
              - {name: contract, type: categorical, expression: contract_type}
              - {name: internet, type: categorical, expression: internet_service}
            quality:
              rules:
                - {column: tenure, min: 1, max: 60}
                - {column: contract, allowed: [one_year, two_year]}
                - {column: internet, unique: true}
            """);
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 500, Seed = 71 });
        var batchId = await environment.LandAsync(customers);
        var runId = Guid.NewGuid();

        var violated = Assert.IsType<DataQualityViolated>(await environment.RefreshAsync(Command(runId, batchId, "strict_features")));

        var outside = customers.Count(c => c.TenureMonths is < 1 or > 60);
        var monthly = customers.Count(c => c.ContractType == "month_to_month");
        var repeats = 500 - customers.Select(c => c.InternetService).Distinct().Count();
        Assert.Equal(
            [
                $"tenure is outside [1, 60] in {outside} of 500 rows.",
                $"contract holds a value other than one_year, two_year in {monthly} of 500 rows.",
                $"internet must be unique but {repeats} of its 500 values repeat another.",
            ],
            violated.Violations);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions WHERE table_name = 'strict_features'"));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.strict_features"));
    }

    [Fact]
    public async Task Data_postgres_refuses_fails_the_run_with_its_reason()
    {
        await environment.RegisterAsync("""
            name: log_features
            source: raw.churn_customers
            entity: customer_id
            features:
              - {name: log_tenure, type: numeric, expression: ln(tenure_months)}
            """);
        var customers = ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 500, Seed = 72 });
        Assert.Contains(customers, c => c.TenureMonths == 0);
        var batchId = await environment.LandAsync(customers);

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(Command(Guid.NewGuid(), batchId, "log_features")));

        Assert.Equal($"Computing log_features from batch {batchId} failed in PostgreSQL: cannot take logarithm of zero.", failed.Reason);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions WHERE table_name = 'log_features'"));
    }

    private RefreshFeatures Command(Guid runId, Guid batchId, string table) => environment.Command(runId, batchId) with { FeatureTable = table };
}
