using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_a_TrainModel_cannot_be_trained(TrainingEnvironment environment) : IClassFixture<TrainingEnvironment>
{
    [Theory]
    [InlineData("l2=-1", "Parameter 'l2' must be a number ≥ 0; got '-1'.", false)]
    [InlineData("l2=abc", "Parameter 'l2' must be a number ≥ 0; got 'abc'.", false)]
    [InlineData("max_iterations=0", "Parameter 'max_iterations' must be a whole number from 1 to 10000; got '0'.", false)]
    [InlineData("seed=-5", "Parameter 'seed' must be a whole number from 0 to 2147483646; got '-5'.", false)]
    [InlineData("an unknown parameter", "Unknown parameter 'learning_rate' for trainer logistic_regression; known: features, l2, max_categories, max_iterations, seed, tolerance.", false)]
    [InlineData("an unknown trainer", "Unknown trainer 'xgboost'; this service runs: logistic_regression.", false)]
    [InlineData("a malformed model name", "'dev.churn' is not a model name: expected catalog.schema.model, e.g. dev.ml.churn.", false)]
    [InlineData("a model of another environment", "Model dev.ml.churn lives in catalog 'dev', not in environment 'prod'.", false)]
    [InlineData("an unknown feature", "Parameter 'features' names 'age', which feature table 'churn_features' does not have; it has: tenure_months, monthly_charges, contract_type.", true)]
    [InlineData("an unknown feature table", "Feature table 'no_such_features' does not exist.", true)]
    [InlineData("an unknown feature version", "Feature table 'churn_features' has no version 99.", true)]
    [InlineData("a table without a label", "Feature table 'churn_unlabelled' has no label column: a classifier needs one to learn from.", true)]
    [InlineData("a single class", "all of class 0: a classifier needs both classes to learn and to be judged.", true)]
    [InlineData("separable classes without a penalty", "Set l2 > 0.", true)]
    public async Task It_answers_TrainingFailed_with_the_reason_and_registers_nothing(string situation, string reason, bool trackingRunStarted)
    {
        var runId = Guid.NewGuid();
        var command = await CommandFor(situation, environment.Command(runId));

        await environment.PublishAsync(command);
        var failed = await environment.FailedAsync(runId);

        Assert.EndsWith(reason, failed.Reason);
        Assert.Equal((command.ModelName, command.Environment, command.Principal), (failed.ModelName, failed.Environment, failed.Principal));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM registry.model_versions WHERE pipeline_run_id = @runId", new { runId }));
        var runs = await environment.Database.QueryAsync<(string Status, string? Error)>(
            "SELECT status, error FROM tracking.runs WHERE pipeline_run_id = @runId", new { runId });
        if (trackingRunStarted)
            Assert.Equal(("failed", failed.Reason), Assert.Single(runs));
        else
            Assert.Empty(runs);
    }

    [Fact]
    public async Task A_command_without_a_pipeline_run_is_dead_lettered_untried()
    {
        var command = environment.Command(Guid.Empty) with { CodeVersion = "no-run-" + Guid.NewGuid().ToString("N") };

        await environment.PublishAsync(command);

        var errors = await Eventually.WaitAsync(() => environment.Database.DeadLettersAsync("train-model"),
            m => m.Any(x => x.Body.Contains(command.CodeVersion)), "the command in messaging.dead_letters");
        var entry = errors.Single(x => x.Body.Contains(command.CodeVersion));
        Assert.Contains("no CorrelationId", entry.Reason);
        Assert.Equal(0, entry.Redeliveries);
    }

    private async Task<TrainModel> CommandFor(string situation, TrainModel command) => situation switch
    {
        "l2=-1" => command with { Parameters = new Dictionary<string, string> { ["l2"] = "-1" } },
        "l2=abc" => command with { Parameters = new Dictionary<string, string> { ["l2"] = "abc" } },
        "max_iterations=0" => command with { Parameters = new Dictionary<string, string> { ["max_iterations"] = "0" } },
        "seed=-5" => command with { Parameters = new Dictionary<string, string> { ["seed"] = "-5" } },
        "an unknown parameter" => command with { Parameters = new Dictionary<string, string> { ["learning_rate"] = "0.1" } },
        "an unknown trainer" => command with { Trainer = "xgboost" },
        "a malformed model name" => command with { ModelName = "dev.churn" },
        "a model of another environment" => command with { Environment = "prod" },
        "an unknown feature" => command with { Parameters = new Dictionary<string, string> { ["features"] = "tenure_months,age" } },
        "an unknown feature table" => command with { FeatureTable = "no_such_features" },
        "an unknown feature version" => command with { FeatureVersion = 99 },
        "a table without a label" => command with
        {
            FeatureTable = "churn_unlabelled",
            FeatureVersion = await environment.WriteVersionAsync(SyntheticChurn.Table("churn_unlabelled", withLabel: false), SyntheticChurn.Frame(200, seed: 1)),
        },
        "a single class" => command with
        {
            FeatureTable = "churn_nobody_leaves",
            FeatureVersion = await environment.WriteVersionAsync(SyntheticChurn.Table("churn_nobody_leaves"), SyntheticChurn.Frame(500, seed: 2, label: (_, _) => 0)),
        },
        "separable classes without a penalty" => command with
        {
            FeatureTable = "churn_separable",
            FeatureVersion = await environment.WriteVersionAsync(SyntheticChurn.Table("churn_separable"), Separable(SyntheticChurn.Frame(1_000, seed: 4))),
            Parameters = new Dictionary<string, string> { ["l2"] = "0", ["features"] = "tenure_months" },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(situation), situation, null),
    };

    /// <summary>Customers who leave exactly when their tenure is under a year: a line separates the classes.</summary>
    private static FeatureFrame Separable(FeatureFrame frame) =>
        new(frame.Columns, frame.EntityIds, frame.Numeric, frame.Categorical, frame.Numeric["tenure_months"].Select(t => t < 12 ? 1.0 : 0.0).ToArray());
}
