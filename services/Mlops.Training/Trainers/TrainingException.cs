namespace Mlops.Training.Trainers;

/// <summary>
/// Training cannot produce a model for a reason the command or its data carries (a bad parameter, a missing table, a single
/// class, an external trainer that failed): answered with TrainingFailed and this message as the reason, never retried.
/// </summary>
public sealed class TrainingException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>What the failed training leaves to look at (an external trainer's stdout.txt and stderr.txt), kept with its tracking run.</summary>
    public IReadOnlyDictionary<string, byte[]> Artifacts { get; init; } = new Dictionary<string, byte[]>();
}
