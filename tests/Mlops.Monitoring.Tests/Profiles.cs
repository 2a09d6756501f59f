using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;

namespace Mlops.Monitoring.Tests;

/// <summary>Reference profiles the tests compare against.</summary>
internal static class Profiles
{
    /// <summary>
    /// The reference of reference_values.py: bins [1, 2, 3] with shares 0.1 0.4 0.3 0.2 over training values in [0, 5],
    /// no quantile sample, so the fine bins are the reference bins and the shares are exactly these.
    /// </summary>
    public static NumericReference FourBins() => NumericReference.From(new FeatureProfile
    {
        Name = "tenure", Type = FeatureProfile.NumericType, Count = 100, NullRate = 0.02,
        BinEdges = [1.0, 2.0, 3.0], BinProportions = [0.1, 0.4, 0.3, 0.2],
        Mean = 2.1, StandardDeviation = 1.25, Min = 0, Max = 5,
    });

    /// <summary>Categories a, b, c with shares 0.5, 0.3, 0.2.</summary>
    public static CategoricalReference Plans() => CategoricalReference.From(new FeatureProfile
    {
        Name = "plan", Type = FeatureProfile.CategoricalType, Count = 100, NullRate = 0.1,
        Categories = ["a", "b", "c"], CategoryProportions = [0.5, 0.3, 0.2],
    });

    public static NumericReference Numeric(IReadOnlyList<double> training) => NumericReference.From(ProfileBuilder.Numeric("x", training));

    public static NumericHistogram Window(this NumericReference reference, params double[] values)
    {
        var histogram = reference.NewHistogram();
        histogram.AddRange(values);
        return histogram;
    }

    public static CategoricalHistogram Window(this CategoricalReference reference, params string?[] values)
    {
        var histogram = reference.NewHistogram();
        histogram.AddRange(values);
        return histogram;
    }

    /// <summary>Deterministic normal values (Box–Muller over a seeded generator).</summary>
    public static IEnumerable<double> Normal(int seed, double mean, double deviation)
    {
        var random = new Random(seed);
        while (true)
        {
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var angle = 2 * Math.PI * random.NextDouble();
            yield return mean + deviation * radius * Math.Cos(angle);
            yield return mean + deviation * radius * Math.Sin(angle);
        }
    }
}
