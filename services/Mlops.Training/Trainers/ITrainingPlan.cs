namespace Mlops.Training.Trainers;

/// <summary>A trainer with its parameters checked: fits training rows into a model.</summary>
public interface ITrainingPlan
{
    /// <summary>Fits <paramref name="data"/>; throws <see cref="TrainingException"/> when the data cannot make a model (e.g. the optimiser diverged).</summary>
    Task<TrainedModel> FitAsync(TrainingData data, CancellationToken cancellationToken = default);
}
