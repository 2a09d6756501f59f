namespace Mlops.Serving.Inference;

/// <summary>
/// A row leaves out an input the model requires, read without an entity key to look it up by: the request is refused as it
/// stands, unless the model's feature table turns out to be online, when it is read again as a request by key.
/// </summary>
public sealed class MissingColumnException(string message) : InvalidRequestException(message);
