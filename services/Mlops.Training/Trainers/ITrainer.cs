namespace Mlops.Training.Trainers;

/// <summary>A way of turning training rows into a model document, chosen by the name a TrainModel gives.</summary>
public interface ITrainer
{
    /// <summary>The name TrainModel.Trainer selects it by, e.g. logistic_regression.</summary>
    string Name { get; }

    /// <summary>
    /// Reads and checks this trainer's own parameters before any data is loaded, throwing <see cref="TrainingException"/>
    /// for a bad one; the plan then fits any number of data sets the same way.
    /// </summary>
    ITrainingPlan Plan(TrainingParameters parameters);
}
