using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers.LogisticRegression;

/// <summary>The built-in logistic regression with its parameters checked.</summary>
public sealed record LogisticRegressionPlan(double L2, int MaxIterations, double Tolerance, int MaxCategories) : ITrainingPlan
{
    public Task<TrainedModel> FitAsync(TrainingData data, CancellationToken cancellationToken = default) => Task.FromResult(Fit(data, cancellationToken));

    public TrainedModel Fit(TrainingData data, CancellationToken cancellationToken = default)
    {
        var encoding = DesignEncoding.Fit(data, MaxCategories);
        var design = encoding.Encode(data.Rows);
        var result = LogisticRegressionSolver.Minimise(design, Vector<double>.Build.Dense(data.Labels), L2, MaxIterations, Tolerance, cancellationToken);

        var coefficients = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var j = 0; j < encoding.Columns.Count; j++)
            coefficients[encoding.Columns[j]] = result.Coefficients[j + 1];

        var document = new ModelDocument
        {
            Kind = ModelDocument.LogisticRegressionKind,
            Signature = new ModelSignature { Inputs = encoding.Inputs },
            Encodings = encoding.Encodings,
            LogisticRegression = new LogisticRegressionParameters { Intercept = result.Coefficients[0], Coefficients = coefficients },
            Metadata = new Dictionary<string, string>
            {
                ["trainer"] = LogisticRegressionTrainer.TrainerName,
                ["l2"] = L2.ToString(CultureInfo.InvariantCulture),
                ["max_iterations"] = MaxIterations.ToString(CultureInfo.InvariantCulture),
                ["tolerance"] = Tolerance.ToString(CultureInfo.InvariantCulture),
                ["max_categories"] = MaxCategories.ToString(CultureInfo.InvariantCulture),
            },
        };
        return new TrainedModel(document, new Dictionary<string, double>
        {
            ["iterations"] = result.Iterations, ["objective"] = result.Objective, ["gradient_norm"] = result.GradientNorm,
        });
    }
}
