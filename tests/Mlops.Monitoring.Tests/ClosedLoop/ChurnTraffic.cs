using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>
/// Deterministic churn traffic: the training reference of a small model (tenure, monthly_charges, plan; a churn
/// probability) and windows of logged predictions drawn from the same distributions, or drifted on purpose.
/// </summary>
public static class ChurnTraffic
{
    public const double BaselineAccuracy = 0.80;
    public const double BaselineAuc = 0.85;
    public static readonly string[] Plans = ["basic", "standard", "premium"];

    public static ReferenceProfile Reference(string modelName)
    {
        var random = new Random(2024);
        const int rows = 5_000;
        var tenure = new double[rows];
        var charges = new double[rows];
        var plans = new string?[rows];
        var predictions = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            tenure[i] = Normal(random, 24, 6);
            charges[i] = Normal(random, 70, 15);
            plans[i] = Plan(random);
            predictions[i] = Probability(random);
        }

        return new ReferenceProfile
        {
            ModelName = modelName,
            RowCount = rows,
            Features = [ProfileBuilder.Numeric("tenure", tenure), ProfileBuilder.Numeric("monthly_charges", charges), ProfileBuilder.Categorical("plan", plans)],
            Prediction = ProfileBuilder.Numeric("churn_probability", predictions),
            BaselineMetrics = new Dictionary<string, double> { ["accuracy"] = BaselineAccuracy, ["auc"] = BaselineAuc },
        };
    }

    /// <summary>
    /// <paramref name="rows"/> predictions served in <paramref name="window"/>, ten per request. Tenure is shifted by
    /// <paramref name="tenureShift"/> (training: mean 24, deviation 6); monthly charges are missing in the given share of rows.
    /// Requests take 5 to 50 ms, times <paramref name="slowdown"/>.
    /// </summary>
    public static IEnumerable<LoggedPrediction> Window(int seed, TimeWindow window, int rows, int version = 1, double tenureShift = 0,
        double chargesMissing = 0, bool shadow = false, double slowdown = 1)
    {
        var random = new Random(seed);
        var span = (window.End - window.Start).Ticks;
        var requestId = Guid.Empty;
        var latency = 0.0;
        for (var row = 0; row < rows; row++)
        {
            if (row % 10 == 0)
            {
                requestId = Guid.NewGuid();
                latency = (5 + 45 * random.NextDouble()) * slowdown;
            }
            var tenure = Normal(random, 24 + tenureShift, 6);
            var charges = Normal(random, 70, 15);
            var plan = Plan(random);
            var prediction = Probability(random);
            var servedAt = window.Start.AddTicks((long)(random.NextDouble() * (span - 1)));
            yield return new LoggedPrediction(requestId, row % 10, version, shadow, tenure,
                random.NextDouble() < chargesMissing ? null : charges, plan, prediction, latency, servedAt);
        }
    }

    private static string Plan(Random random) => random.NextDouble() switch
    {
        < 0.5 => Plans[0],
        < 0.8 => Plans[1],
        _ => Plans[2],
    };

    private static double Probability(Random random) => 1 / (1 + Math.Exp(-Normal(random, -1, 1.2)));

    private static double Normal(Random random, double mean, double deviation) =>
        mean + deviation * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
