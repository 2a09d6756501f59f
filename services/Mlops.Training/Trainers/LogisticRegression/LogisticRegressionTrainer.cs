namespace Mlops.Training.Trainers.LogisticRegression;

/// <summary>
/// The built-in trainer: L2-regularised logistic regression fitted by Newton's method. Parameters: <c>l2</c> (≥ 0, default 1),
/// <c>max_iterations</c> (default 100), <c>tolerance</c> (&gt; 0, default 1e-6), <c>max_categories</c> (one-hot columns kept per
/// categorical input, default 50).
/// </summary>
public sealed class LogisticRegressionTrainer : ITrainer
{
    public const string TrainerName = "logistic_regression";

    public string Name => TrainerName;

    public ITrainingPlan Plan(TrainingParameters parameters) => new LogisticRegressionPlan(
        L2: parameters.Number("l2", 1.0, minimum: 0),
        MaxIterations: parameters.Integer("max_iterations", 100, 1, 10_000),
        Tolerance: parameters.Number("tolerance", 1e-6, minimum: 0, minimumExclusive: true, maximum: 1),
        MaxCategories: parameters.Integer("max_categories", 50, 1, 10_000));
}
