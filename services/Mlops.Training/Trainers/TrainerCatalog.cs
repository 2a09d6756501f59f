using Microsoft.Extensions.Options;

namespace Mlops.Training.Trainers;

/// <summary>The trainers this service can run, by name; an empty name means the configured default.</summary>
public sealed class TrainerCatalog(IEnumerable<ITrainer> trainers, IOptions<TrainingOptions> options)
{
    private readonly Dictionary<string, ITrainer> _byName = trainers.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _byName.Keys;

    public ITrainer Find(string? name)
    {
        var wanted = string.IsNullOrWhiteSpace(name) ? options.Value.DefaultTrainer : name.Trim();
        return _byName.TryGetValue(wanted, out var trainer)
            ? trainer
            : throw new TrainingException($"Unknown trainer '{wanted}'; this service runs: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}.");
    }
}
