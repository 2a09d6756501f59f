using Mlops.Training.Trainers;
using Mlops.Training.Trainers.LogisticRegression;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_trainer_parameters_are_read
{
    [Fact]
    public void Absent_parameters_take_their_documented_defaults()
    {
        var parameters = new TrainingParameters(new Dictionary<string, string>());

        var plan = Assert.IsType<LogisticRegressionPlan>(new LogisticRegressionTrainer().Plan(parameters));

        Assert.Equal(new LogisticRegressionPlan(L2: 1.0, MaxIterations: 100, Tolerance: 1e-6, MaxCategories: 50), plan);
        Assert.Equal("1", parameters.Effective["l2"]);
        Assert.Equal("1E-06", parameters.Effective["tolerance"]);
    }

    [Theory]
    [InlineData("l2", "-1", "Parameter 'l2' must be a number ≥ 0; got '-1'.")]
    [InlineData("l2", "abc", "Parameter 'l2' must be a number ≥ 0; got 'abc'.")]
    [InlineData("l2", "NaN", "Parameter 'l2' must be a number ≥ 0; got 'NaN'.")]
    [InlineData("max_iterations", "0", "Parameter 'max_iterations' must be a whole number from 1 to 10000; got '0'.")]
    [InlineData("max_iterations", "2.5", "Parameter 'max_iterations' must be a whole number from 1 to 10000; got '2.5'.")]
    [InlineData("tolerance", "0", "Parameter 'tolerance' must be a number > 0 and ≤ 1; got '0'.")]
    public void A_bad_value_is_rejected_with_a_reason_naming_it(string name, string value, string reason)
    {
        var parameters = new TrainingParameters(new Dictionary<string, string> { [name] = value });

        var failure = Assert.Throws<TrainingException>(() => new LogisticRegressionTrainer().Plan(parameters));

        Assert.Equal(reason, failure.Message);
    }

    [Fact]
    public void A_parameter_nobody_reads_is_rejected_as_unknown()
    {
        var parameters = new TrainingParameters(new Dictionary<string, string> { ["l2"] = "2", ["learning_rate"] = "0.1" });
        new LogisticRegressionTrainer().Plan(parameters);

        var failure = Assert.Throws<TrainingException>(() => parameters.RejectUnread(LogisticRegressionTrainer.TrainerName));

        Assert.Equal("Unknown parameter 'learning_rate' for trainer logistic_regression; known: l2, max_categories, max_iterations, tolerance.", failure.Message);
    }

    [Fact]
    public void A_feature_list_is_split_on_commas_and_trimmed()
    {
        var parameters = new TrainingParameters(new Dictionary<string, string> { ["features"] = " tenure_months, contract_type " });

        Assert.Equal(["tenure_months", "contract_type"], parameters.List("features"));
        Assert.Equal("tenure_months,contract_type", parameters.Effective["features"]);
    }
}
