using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Testing.Onnx;

/// <summary>Synthetic subscribers with numeric and categorical features, some of them null, and a label that depends on them.</summary>
public static class OnnxData
{
    public const string Entity = "customer_id";
    public const string Label = "churned";

    public static FeatureFrame Frame(int rows, int seed, bool categorical = true, long firstId = 1)
    {
        var random = new Random(seed);
        string?[] contracts = ["month_to_month", "one_year", "two_year", "o'brien, \"quoted\"", null];
        var columns = new List<FeatureColumn> { new("tenure_months", FeatureType.Numeric), new("monthly_charges", FeatureType.Numeric) };
        if (categorical)
            columns.Add(new FeatureColumn("contract_type", FeatureType.Categorical));
        var ids = new long[rows];
        var tenure = new double[rows];
        var charges = new double[rows];
        var contract = new string?[rows];
        var labels = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = firstId + i;
            tenure[i] = i % 11 == 3 ? double.NaN : random.NextDouble() * 72;
            charges[i] = i % 13 == 5 ? double.NaN : 20 + random.NextDouble() * 100;
            contract[i] = contracts[random.Next(contracts.Length)];
            var z = -0.05 * ((double.IsNaN(tenure[i]) ? 36 : tenure[i]) - 36) + 0.03 * ((double.IsNaN(charges[i]) ? 70 : charges[i]) - 70)
                + (categorical && contract[i] == "month_to_month" ? 0.9 : 0);
            labels[i] = random.NextDouble() < CompiledModel.Sigmoid(z) ? 1 : 0;
        }
        var numeric = new Dictionary<string, double[]> { ["tenure_months"] = tenure, ["monthly_charges"] = charges };
        var strings = categorical ? new Dictionary<string, string?[]> { ["contract_type"] = contract } : new Dictionary<string, string?[]>();
        return new FeatureFrame(columns, ids, numeric, strings, labels);
    }

    /// <summary>One row of a frame as Serving hands it to a model: a value per input, in signature order.</summary>
    public static object?[] Row(FeatureFrame frame, IReadOnlyList<SignatureColumn> inputs, int row) =>
        inputs.Select(input => frame.Value(input.Name, row)).ToArray();
}
