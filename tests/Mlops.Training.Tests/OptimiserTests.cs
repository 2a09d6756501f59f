using MathNet.Numerics.LinearAlgebra;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Training.Trainers;
using Mlops.Training.Trainers.LogisticRegression;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_the_optimiser_fits_a_known_logistic_process
{
    private static readonly Lazy<ModelDocument> LargeSampleModel = new(() => Fit(SyntheticChurn.Frame(100_000, seed: 3)).Document!);

    [Fact]
    public void It_recovers_the_true_coefficients_from_a_large_sample()
    {
        var model = LargeSampleModel.Value;
        var encodings = model.Encodings.ToDictionary(e => e.Input);
        var coefficients = model.LogisticRegression!.Coefficients;
        double Slope(string input) => coefficients[input] / encodings[input].Scale!.Value;
        double Contract(string category) => coefficients[$"contract_type={category}"];

        // About four standard errors at this sample size: the fit is deterministic, the bounds are what sampling allows.
        Assert.InRange(Slope("tenure_months"), SyntheticChurn.TenureSlope - 0.002, SyntheticChurn.TenureSlope + 0.002);
        Assert.InRange(Slope("monthly_charges"), SyntheticChurn.ChargesSlope - 0.0015, SyntheticChurn.ChargesSlope + 0.0015);
        // One-hot over every category plus an intercept fixes only contrasts between categories; those the process defines.
        Assert.InRange(Contract("one_year") - Contract("month_to_month"), -0.9 - 0.065, -0.9 + 0.065);
        Assert.InRange(Contract("two_year") - Contract("month_to_month"), -1.8 - 0.065, -1.8 + 0.065);

        var logitOfNewMonthlyCustomerAt70 = model.LogisticRegression.Intercept
            + Slope("tenure_months") * (0 - encodings["tenure_months"].Center!.Value)
            + Slope("monthly_charges") * (70 - encodings["monthly_charges"].Center!.Value)
            + Contract("month_to_month");
        Assert.InRange(logitOfNewMonthlyCustomerAt70, SyntheticChurn.Intercept + 0.7 - 0.08, SyntheticChurn.Intercept + 0.7 + 0.08);
    }

    [Fact]
    public void It_stops_at_the_minimum_of_the_penalised_likelihood()
    {
        var frame = SyntheticChurn.Frame(5_000, seed: 3, nullRate: 0.05);
        var data = Data(frame);
        var encoding = DesignEncoding.Fit(data, maxCategories: 50);
        var design = encoding.Encode(frame);
        var labels = Vector<double>.Build.Dense(data.Labels);
        const double l2 = 1.0;
        var penalty = Vector<double>.Build.Dense(design.ColumnCount, j => j == 0 ? 0 : l2);

        var result = LogisticRegressionSolver.Minimise(design, labels, l2, maxIterations: 100, tolerance: 1e-8);

        var probabilities = (design * result.Coefficients).Map(CompiledModel.Sigmoid);
        var gradient = design.TransposeThisAndMultiply(probabilities - labels) + penalty.PointwiseMultiply(result.Coefficients);
        Assert.True(gradient.AbsoluteMaximum() < 1e-6, $"The gradient at the solution is {gradient.AbsoluteMaximum()}, not zero.");
        Assert.InRange(result.Iterations, 2, 15);
        for (var j = 0; j < design.ColumnCount; j++)
            foreach (var nudge in new[] { -1e-3, 1e-3 })
            {
                var moved = result.Coefficients.Clone();
                moved[j] += nudge;
                Assert.True(LogisticRegressionSolver.Objective(design * moved, labels, moved, penalty) > result.Objective,
                    $"Moving coefficient {j} by {nudge} lowered the objective: the solver stopped short of the minimum.");
            }
    }

    [Fact]
    public void A_stronger_l2_penalty_shrinks_the_coefficients()
    {
        var frame = SyntheticChurn.Frame(3_000, seed: 5);

        double Norm(double l2) => Fit(frame, l2).Document!.LogisticRegression!.Coefficients.Values.Sum(c => c * c);

        Assert.True(Norm(0.01) > Norm(100) && Norm(100) > Norm(10_000), "The coefficients did not shrink as l2 grew.");
    }

    [Fact]
    public void The_same_data_and_seed_give_an_identical_model()
    {
        var first = Fit(SyntheticChurn.Frame(4_000, seed: 21, nullRate: 0.03));
        var second = Fit(SyntheticChurn.Frame(4_000, seed: 21, nullRate: 0.03));

        Assert.Equal(CompiledModel.Serialize(first.Document!), CompiledModel.Serialize(second.Document!));
    }

    [Fact]
    public void Perfectly_separable_classes_without_a_penalty_fail_with_a_reason()
    {
        var frame = SyntheticChurn.Frame(2_000, seed: 9, label: (row, _) => row % 2);
        var separable = new FeatureFrame(frame.Columns, frame.EntityIds,
            new Dictionary<string, double[]> { ["tenure_months"] = frame.Labels!.Select(l => l * 10 + 1).ToArray(), ["monthly_charges"] = frame.Numeric["monthly_charges"] },
            frame.Categorical, frame.Labels);

        var failure = Assert.Throws<TrainingException>(() => Fit(separable, l2: 0));

        Assert.Contains("l2 > 0", failure.Message);
    }

    internal static TrainedModel Fit(FeatureFrame frame, double l2 = 1.0) =>
        new LogisticRegressionPlan(l2, MaxIterations: 100, Tolerance: 1e-6, MaxCategories: 50).Fit(Data(frame));

    internal static TrainingData Data(FeatureFrame frame) => new(frame, frame.Columns, frame.Labels!);
}
