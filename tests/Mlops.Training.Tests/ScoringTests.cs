using MathNet.Numerics.LinearAlgebra;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Training.Trainers.LogisticRegression;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_a_compiled_model_scores_rows
{
    private static readonly ModelDocument HandWritten = new()
    {
        Kind = ModelDocument.LogisticRegressionKind,
        Signature = new ModelSignature { Inputs = [new SignatureColumn("age", SignatureColumn.Double), new SignatureColumn("plan", SignatureColumn.String)] },
        Encodings =
        [
            new InputEncoding { Input = "age", Kind = InputEncoding.Standardize, Center = 40, Scale = 10, Impute = 40 },
            new InputEncoding { Input = "plan", Kind = InputEncoding.OneHot, Categories = ["basic", "premium"] },
        ],
        LogisticRegression = new LogisticRegressionParameters
        {
            Intercept = -1, Coefficients = new Dictionary<string, double> { ["age"] = 0.5, ["plan=premium"] = 1.2, ["plan=basic"] = -0.3 },
        },
    };

    [Theory]
    [InlineData(50.0, "premium", 0.6681877721681662)] // z = −1 + 0.5·(50 − 40)/10 + 1.2 = 0.7
    [InlineData(double.NaN, null, 0.2689414213699951)] // null age imputed to the center, null plan all zeros: z = −1
    [InlineData(30.0, "gold", 0.18242552380635635)] // an unseen plan is all zeros: z = −1 + 0.5·(−1) = −1.5
    [InlineData(40.0, "basic", 0.2141650169574414)] // z = −1 + 0 − 0.3 = −1.3
    public void A_hand_written_logistic_regression_gives_the_hand_computed_probability(double age, string? plan, double expected)
    {
        var model = CompiledModel.Compile(HandWritten);

        Assert.Equal(expected, model.Score([age, plan]), 12);
    }

    [Fact]
    public void A_trained_model_scores_exactly_the_probabilities_the_trainer_fitted()
    {
        var training = SyntheticChurn.Frame(3_000, seed: 13, nullRate: 0.05);
        var data = When_the_optimiser_fits_a_known_logistic_process.Data(training);
        var document = When_the_optimiser_fits_a_known_logistic_process.Fit(training).Document!;
        var encoding = DesignEncoding.Fit(data, maxCategories: 50);
        var fitted = LogisticRegressionSolver.Minimise(encoding.Encode(training), Vector<double>.Build.Dense(data.Labels), 1.0, 100, 1e-6).Coefficients;

        var unseen = training.Rows(Enumerable.Range(0, 200).ToArray());
        unseen.Categorical["contract_type"][0] = "weekly";
        foreach (var rows in new[] { training, unseen })
        {
            var trainerProbabilities = (encoding.Encode(rows) * fitted).Map(CompiledModel.Sigmoid).ToArray();
            var served = CompiledModel.Compile(document).Score(rows);
            for (var i = 0; i < rows.RowCount; i++)
                Assert.Equal(trainerProbabilities[i], served[i], 12);
        }
    }

    [Fact]
    public void A_model_survives_its_json_round_trip_unchanged()
    {
        var frame = SyntheticChurn.Frame(1_000, seed: 17, nullRate: 0.05);
        var document = When_the_optimiser_fits_a_known_logistic_process.Fit(frame).Document!;

        var reloaded = CompiledModel.Load(CompiledModel.Serialize(document));

        Assert.Equal(CompiledModel.Compile(document).Score(frame), reloaded.Score(frame));
        Assert.Equal(["tenure_months", "monthly_charges", "contract_type=month_to_month", "contract_type=one_year", "contract_type=two_year"],
            reloaded.DesignColumns);
    }
}
