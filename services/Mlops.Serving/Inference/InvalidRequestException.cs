namespace Mlops.Serving.Inference;

/// <summary>A scoring request the model cannot take; its message tells the caller exactly what to fix.</summary>
public class InvalidRequestException(string message) : Exception(message);
