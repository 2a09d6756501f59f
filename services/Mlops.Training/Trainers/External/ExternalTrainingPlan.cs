namespace Mlops.Training.Trainers.External;

/// <summary>An external trainer with the values of its parameters: running it runs the command once.</summary>
public sealed record ExternalTrainingPlan(string Name, ExternalTrainerOptions Options, IReadOnlyDictionary<string, string> Parameters,
    ExternalTrainerRunner Runner) : ITrainingPlan
{
    public Task<TrainedModel> FitAsync(TrainingData data, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(Name, Options, Parameters, data, cancellationToken);
}
