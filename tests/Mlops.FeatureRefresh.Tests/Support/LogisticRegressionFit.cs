using Mlops.Simulator;

namespace Mlops.FeatureRefresh.Tests.Support;

/// <summary>
/// A plain logistic regression fitted by gradient descent on standardised numbers and one-hot categories: enough to show
/// that a model can learn the generated label, without depending on the training service.
/// </summary>
public sealed class LogisticRegressionFit
{
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[] _weights;

    private LogisticRegressionFit(double[] means, double[] scales, double[] weights)
    {
        _means = means;
        _scales = scales;
        _weights = weights;
    }

    public static LogisticRegressionFit Train(IReadOnlyList<ChurnCustomer> customers, int iterations = 400, double learningRate = 0.5)
    {
        var inputs = customers.Select(Inputs).ToArray();
        var width = inputs[0].Length;
        var means = Enumerable.Range(0, width).Select(j => inputs.Average(x => x[j])).ToArray();
        var scales = Enumerable.Range(0, width)
            .Select(j => Math.Sqrt(inputs.Average(x => (x[j] - means[j]) * (x[j] - means[j]))) is var sd && sd > 0 ? sd : 1)
            .ToArray();
        var standardised = inputs.Select(x => Standardise(x, means, scales)).ToArray();
        var labels = customers.Select(c => c.Churned ? 1.0 : 0.0).ToArray();

        var weights = new double[width + 1];
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var gradient = new double[width + 1];
            for (var i = 0; i < standardised.Length; i++)
            {
                var error = Sigmoid(Logit(weights, standardised[i])) - labels[i];
                gradient[0] += error;
                for (var j = 0; j < width; j++)
                    gradient[j + 1] += error * standardised[i][j];
            }
            for (var j = 0; j <= width; j++)
                weights[j] -= learningRate * gradient[j] / standardised.Length;
        }
        return new LogisticRegressionFit(means, scales, weights);
    }

    public double[] Score(IReadOnlyList<ChurnCustomer> customers) =>
        customers.Select(c => Sigmoid(Logit(_weights, Standardise(Inputs(c), _means, _scales)))).ToArray();

    private static double[] Inputs(ChurnCustomer c) =>
    [
        c.TenureMonths!.Value, c.MonthlyCharges!.Value, c.TotalCharges!.Value, c.SupportCalls!.Value, c.Age!.Value,
        .. ChurnGeneratingProcess.ContractTypes.Select(v => c.ContractType == v ? 1.0 : 0.0),
        .. ChurnGeneratingProcess.PaymentMethods.Select(v => c.PaymentMethod == v ? 1.0 : 0.0),
        .. ChurnGeneratingProcess.InternetServices.Select(v => c.InternetService == v ? 1.0 : 0.0),
    ];

    private static double[] Standardise(double[] x, double[] means, double[] scales) => x.Select((v, j) => (v - means[j]) / scales[j]).ToArray();

    private static double Logit(double[] weights, double[] x) => weights[0] + x.Select((v, j) => v * weights[j + 1]).Sum();

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
