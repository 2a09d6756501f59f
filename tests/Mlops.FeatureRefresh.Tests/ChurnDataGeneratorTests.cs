using Mlops.Catalog.Models;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_churn_data_is_generated
{
    private static readonly ChurnDataOptions Baseline = new() { RowCount = 10_000, Seed = 2024, FirstCustomerId = 1_000 };

    [Fact]
    public void The_same_options_give_the_same_rows()
    {
        var first = ChurnDataGenerator.Generate(Baseline);
        var second = ChurnDataGenerator.Generate(Baseline);
        var otherSeed = ChurnDataGenerator.Generate(Baseline with { Seed = 2025 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
        Assert.Equal(Enumerable.Range(1_000, 10_000).Select(i => (long)i), first.Select(c => c.CustomerId));
        Assert.Equal(first.Take(100), ChurnDataGenerator.Generate(Baseline with { RowCount = 100 }));
    }

    [Fact]
    public void About_a_quarter_of_customers_churn()
    {
        var churnRate = ChurnDataGenerator.Generate(Baseline).Average(c => c.Churned ? 1.0 : 0.0);

        Assert.InRange(churnRate, 0.20, 0.35);
    }

    [Fact]
    public void Every_category_appears_and_values_stay_in_range()
    {
        var customers = ChurnDataGenerator.Generate(Baseline);

        Assert.Equal(ChurnGeneratingProcess.ContractTypes.Order(), customers.Select(c => c.ContractType!).Distinct().Order());
        Assert.Equal(ChurnGeneratingProcess.PaymentMethods.Order(), customers.Select(c => c.PaymentMethod!).Distinct().Order());
        Assert.Equal(ChurnGeneratingProcess.InternetServices.Order(), customers.Select(c => c.InternetService!).Distinct().Order());
        Assert.All(customers, c =>
        {
            Assert.InRange(c.TenureMonths!.Value, 0, 72);
            Assert.InRange(c.Age!.Value, 18, 90);
            Assert.True(c.MonthlyCharges >= 18);
            Assert.True(c.TotalCharges > 0);
            Assert.True(c.SupportCalls >= 0);
        });
    }

    [Fact]
    public void A_logistic_regression_learns_the_label()
    {
        var training = ChurnDataGenerator.Generate(Baseline with { RowCount = 6_000 });
        var holdout = ChurnDataGenerator.Generate(Baseline with { RowCount = 4_000, Seed = 99 });

        var model = LogisticRegressionFit.Train(training);
        var auc = ClassificationMetrics.Compute(Labels(holdout), model.Score(holdout)).Auc;

        Assert.InRange(auc, 0.78, 0.90);
    }

    [Fact]
    public void Concept_shift_breaks_what_a_model_learned_before_it()
    {
        var training = ChurnDataGenerator.Generate(Baseline with { RowCount = 6_000 });
        var model = LogisticRegressionFit.Train(training);
        var before = ChurnDataGenerator.Generate(Baseline with { RowCount = 4_000, Seed = 99 });
        var after = ChurnDataGenerator.Generate(Baseline with { RowCount = 4_000, Seed = 99, ConceptShift = 1 });

        var aucBefore = ClassificationMetrics.Compute(Labels(before), model.Score(before)).Auc;
        var aucAfter = ClassificationMetrics.Compute(Labels(after), model.Score(after)).Auc;

        Assert.Equal(before.Select(c => c with { Churned = false }), after.Select(c => c with { Churned = false }));
        Assert.True(aucAfter < aucBefore - 0.2, $"AUC {aucBefore:0.000} before the concept shift, {aucAfter:0.000} after");
    }

    [Fact]
    public void Shift_moves_charges_tenure_and_the_contract_mix()
    {
        var baseline = ChurnDataGenerator.Generate(Baseline);
        var shifted = ChurnDataGenerator.Generate(Baseline with { Shift = 1 });

        Assert.InRange(shifted.Average(c => c.MonthlyCharges!.Value) - baseline.Average(c => c.MonthlyCharges!.Value), 8, 12);
        Assert.True(shifted.Average(c => c.TenureMonths!.Value) < baseline.Average(c => c.TenureMonths!.Value) - 4);
        Assert.True(MonthToMonthShare(shifted) > MonthToMonthShare(baseline) + 0.1);
    }

    [Fact]
    public void Nulls_blank_the_billing_columns_in_about_that_share_of_rows_and_change_nothing_else()
    {
        var complete = ChurnDataGenerator.Generate(Baseline);
        var withNulls = ChurnDataGenerator.Generate(Baseline with { NullRate = 0.2 });

        var blanked = withNulls.Where(c => c.MonthlyCharges is null).ToList();
        Assert.InRange(blanked.Count / (double)withNulls.Count, 0.18, 0.22);
        Assert.All(blanked, c => Assert.True(c is { TotalCharges: null, PaymentMethod: null }));
        Assert.All(withNulls, c => Assert.True(c is { TenureMonths: not null, SupportCalls: not null, ContractType: not null, InternetService: not null, Age: not null }));
        Assert.All(complete.Zip(withNulls), pair => Assert.Equal(
            pair.Second.MonthlyCharges is null ? pair.First with { MonthlyCharges = null, TotalCharges = null, PaymentMethod = null } : pair.First,
            pair.Second));
    }

    [Fact]
    public void Options_out_of_range_are_refused_with_the_reason()
    {
        var nullRate = Assert.Throws<ArgumentOutOfRangeException>(() => ChurnDataGenerator.Generate(Baseline with { NullRate = 1.5 }));
        var column = Assert.Throws<ArgumentException>(() => ChurnDataGenerator.Generate(Baseline with { NullColumns = ["customer_id"] }));

        Assert.Contains("between 0 and 1", nullRate.Message);
        Assert.Contains("customer_id", column.Message);
    }

    private static double[] Labels(IEnumerable<ChurnCustomer> customers) => customers.Select(c => c.Churned ? 1.0 : 0.0).ToArray();

    private static double MonthToMonthShare(IReadOnlyList<ChurnCustomer> customers) =>
        customers.Average(c => c.ContractType == ChurnGeneratingProcess.MonthToMonth ? 1.0 : 0.0);
}
