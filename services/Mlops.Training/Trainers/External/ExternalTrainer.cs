namespace Mlops.Training.Trainers.External;

/// <summary>A trainer configured under Training:ExternalTrainers: its parameters are the configured ones, each passed on as written.</summary>
public sealed class ExternalTrainer(string name, ExternalTrainerOptions options, ExternalTrainerRunner runner) : ITrainer
{
    public string Name => name;

    public ITrainingPlan Plan(TrainingParameters parameters) => new ExternalTrainingPlan(name, options,
        options.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => parameters.Text(p.Key, p.Value), StringComparer.Ordinal),
        runner);
}
