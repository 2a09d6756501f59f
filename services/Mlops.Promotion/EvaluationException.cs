namespace Mlops.Promotion;

/// <summary>An evaluation that cannot run on what the registry holds; the message is the reason EvaluationFailed carries.</summary>
public sealed class EvaluationException(string message, Exception? innerException = null) : Exception(message, innerException);
