using Mlops.Catalog.Features;
using Xunit;

namespace Mlops.Testing.Onnx;

/// <summary>What one run of examples/trainers/onnx_logistic/train.py left: the ONNX file, scikit-learn's own probabilities by entity, the metrics.</summary>
public sealed record OnnxTrainerRun(byte[] Model, IReadOnlyDictionary<long, double> Predictions, string MetricsJson)
{
    /// <summary>The parity the issue asks for: every score within 1e-6 of scikit-learn's predict_proba for the same entity.</summary>
    public const double Parity = 1e-6;

    /// <summary>Asserts that <paramref name="scores"/> (one per row of <paramref name="rows"/>, in order) agree with scikit-learn's.</summary>
    public void AssertParity(FeatureFrame rows, IReadOnlyList<double> scores)
    {
        Assert.Equal(rows.RowCount, scores.Count);
        for (var row = 0; row < rows.RowCount; row++)
        {
            var expected = Predictions[rows.EntityIds[row]];
            Assert.True(Math.Abs(expected - scores[row]) <= Parity, $"entity {rows.EntityIds[row]}: scikit-learn {expected}, ONNX {scores[row]}");
        }
    }
}
