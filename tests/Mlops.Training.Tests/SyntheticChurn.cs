using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Training.Tests;

/// <summary>
/// Customers whose churn follows a known logistic process, so what a trainer recovers can be checked against the truth:
/// logit = Intercept + TenureSlope·tenure + ChargesSlope·(charges − 70) + ContractEffect[contract].
/// </summary>
public static class SyntheticChurn
{
    public const double Intercept = 1.0;
    public const double TenureSlope = -0.05;
    public const double ChargesSlope = 0.03;

    public static readonly IReadOnlyDictionary<string, double> ContractEffects = new Dictionary<string, double>
    {
        ["month_to_month"] = 0.7, ["one_year"] = -0.2, ["two_year"] = -1.1,
    };

    public static FeatureTableDefinition Table(string name, bool withLabel = true) => new()
    {
        Name = name,
        EntityColumn = "customer_id",
        Columns =
        [
            new FeatureColumn("tenure_months", FeatureType.Numeric),
            new FeatureColumn("monthly_charges", FeatureType.Numeric),
            new FeatureColumn("contract_type", FeatureType.Categorical),
        ],
        LabelColumn = withLabel ? "churned" : null,
        SourceTable = "raw.churn_customers",
    };

    /// <summary>
    /// <paramref name="rows"/> customers drawn with <paramref name="seed"/>; a <paramref name="nullRate"/> share of charges and
    /// contracts is missing; <paramref name="label"/> replaces the process's label when given (e.g. one class only).
    /// </summary>
    public static FeatureFrame Frame(int rows, int seed, double nullRate = 0, Func<int, double, double>? label = null)
    {
        var random = new Random(seed);
        var ids = new long[rows];
        var tenure = new double[rows];
        var charges = new double[rows];
        var contract = new string?[rows];
        var labels = new double[rows];
        var names = ContractEffects.Keys.ToArray();
        for (var i = 0; i < rows; i++)
        {
            ids[i] = 1000 + i;
            tenure[i] = Math.Floor(random.NextDouble() * 72);
            charges[i] = 70 + 20 * Gaussian(random);
            var u = random.NextDouble();
            contract[i] = names[u < 0.5 ? 0 : u < 0.8 ? 1 : 2];
            var logit = Intercept + TenureSlope * tenure[i] + ChargesSlope * (charges[i] - 70) + ContractEffects[contract[i]!];
            var sampled = random.NextDouble() < CompiledModel.Sigmoid(logit) ? 1.0 : 0.0;
            labels[i] = label?.Invoke(i, sampled) ?? sampled;
            if (random.NextDouble() < nullRate)
                charges[i] = double.NaN;
            if (random.NextDouble() < nullRate)
                contract[i] = null;
        }
        return new FeatureFrame(Table("synthetic").Columns, ids,
            new Dictionary<string, double[]> { ["tenure_months"] = tenure, ["monthly_charges"] = charges },
            new Dictionary<string, string?[]> { ["contract_type"] = contract }, labels);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
