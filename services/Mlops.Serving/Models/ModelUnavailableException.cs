namespace Mlops.Serving.Models;

/// <summary>A model that exists cannot be served now (its artifact failed verification, or does not compile).</summary>
public sealed class ModelUnavailableException(string message, Exception innerException) : Exception(message, innerException);
