namespace Mlops.Catalog.Models;

public sealed class InvalidModelException(string message, Exception? innerException = null) : Exception(message, innerException);
