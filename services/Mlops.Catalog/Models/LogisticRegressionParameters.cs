namespace Mlops.Catalog.Models;

/// <summary>p = 1 / (1 + exp(−(intercept + Σ coefficient[c] · design[c]))); design columns without a coefficient weigh 0.</summary>
public sealed record LogisticRegressionParameters
{
    public double Intercept { get; init; }
    public required IReadOnlyDictionary<string, double> Coefficients { get; init; }
}
