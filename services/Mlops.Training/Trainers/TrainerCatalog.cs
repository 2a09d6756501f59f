using Microsoft.Extensions.Options;
using Mlops.Hosting.Data;
using Mlops.Training.Trainers.External;

namespace Mlops.Training.Trainers;

/// <summary>
/// The trainers this service runs, by name: the built-in ones and those configured under Training:ExternalTrainers. An empty
/// name means the configured default; a name that is neither is refused, so a message can never run a command of its own.
/// </summary>
public sealed class TrainerCatalog
{
    private readonly IOptions<TrainingOptions> _options;
    private readonly Dictionary<string, ITrainer> _byName;

    public TrainerCatalog(IEnumerable<ITrainer> trainers, ExternalTrainerRunner runner, IOptions<TrainingOptions> options)
    {
        _options = options;
        _byName = trainers
            .Concat(options.Value.ExternalTrainers.Select(t => (ITrainer)new ExternalTrainer(t.Key, t.Value, runner)))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>A name from a message, as a reason may quote it: storable, and short.</summary>
    private static string Shown(string name) => StorableText.Of(name.Length > 100 ? name[..100] + "…" : name);

    public ITrainer Find(string? name)
    {
        var wanted = string.IsNullOrWhiteSpace(name) ? _options.Value.DefaultTrainer : name.Trim();
        return _byName.TryGetValue(wanted, out var trainer)
            ? trainer
            : throw new TrainingException($"Unknown trainer '{Shown(wanted)}'; this service runs: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}.");
    }
}
