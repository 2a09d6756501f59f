namespace Mlops.Training.Trainers;

/// <summary>
/// Training cannot produce a model for a reason the command or its data carries (a bad parameter, a missing table, a single
/// class): answered with TrainingFailed and this message as the reason, never retried.
/// </summary>
public sealed class TrainingException(string message, Exception? innerException = null) : Exception(message, innerException);
