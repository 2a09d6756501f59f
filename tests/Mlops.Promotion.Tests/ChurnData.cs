using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Promotion.Tests;

/// <summary>
/// Synthetic subscribers whose churn depends on tenure and charges (not on <c>noise</c>), and hand-written logistic
/// regressions over them: a good one, a miscalibrated copy that ranks the same, and one that only sees the noise.
/// </summary>
public static class ChurnData
{
    public static readonly FeatureTableDefinition Table = new()
    {
        Name = "churn_features", EntityColumn = "customer_id", SourceTable = "raw.churn_customers", LabelColumn = "churned",
        Columns =
        [
            new FeatureColumn("tenure_months", FeatureType.Numeric),
            new FeatureColumn("monthly_charges", FeatureType.Numeric),
            new FeatureColumn("noise", FeatureType.Numeric),
        ],
    };

    public static FeatureFrame Frame(int rows, int seed)
    {
        var random = new Random(seed);
        var ids = new long[rows];
        var tenure = new double[rows];
        var charges = new double[rows];
        var noise = new double[rows];
        var labels = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = 1000 + i;
            tenure[i] = random.NextDouble() * 72;
            charges[i] = 20 + random.NextDouble() * 100;
            noise[i] = random.NextDouble() * 2 - 1;
            var p = CompiledModel.Sigmoid(-0.08 * (tenure[i] - 36) + 0.05 * (charges[i] - 70));
            // A few subscribers have no outcome yet: they cannot be scored against.
            labels[i] = i % 40 == 0 ? double.NaN : random.NextDouble() < p ? 1 : 0;
        }
        return new FeatureFrame(Table.Columns, ids,
            new Dictionary<string, double[]> { ["tenure_months"] = tenure, ["monthly_charges"] = charges, ["noise"] = noise },
            new Dictionary<string, string?[]>(), labels);
    }

    public static ModelDocument Good(double intercept = 0) =>
        Model(intercept, new Dictionary<string, double> { ["tenure_months"] = -1.6, ["monthly_charges"] = 1.4 });

    public static ModelDocument NoiseOnly() =>
        Model(0, new Dictionary<string, double> { ["noise"] = 1.0 });

    private static ModelDocument Model(double intercept, IReadOnlyDictionary<string, double> coefficients) => new()
    {
        Kind = ModelDocument.LogisticRegressionKind,
        Signature = new ModelSignature
        {
            Inputs = Table.Columns.Select(c => new SignatureColumn(c.Name, SignatureColumn.Double)).ToList(),
        },
        Encodings =
        [
            new InputEncoding { Input = "tenure_months", Kind = InputEncoding.Standardize, Center = 36, Scale = 20.8 },
            new InputEncoding { Input = "monthly_charges", Kind = InputEncoding.Standardize, Center = 70, Scale = 28.9 },
            new InputEncoding { Input = "noise", Kind = InputEncoding.Standardize, Center = 0, Scale = 0.58 },
        ],
        LogisticRegression = new LogisticRegressionParameters { Intercept = intercept, Coefficients = coefficients },
        // Every document is its own artifact, so tampering with one touches no other version.
        Metadata = new Dictionary<string, string> { ["artifact"] = Guid.NewGuid().ToString() },
    };
}
