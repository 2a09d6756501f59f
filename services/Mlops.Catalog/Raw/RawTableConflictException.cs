namespace Mlops.Catalog.Raw;

/// <summary>A raw table name already taken by another schema (the message names the difference), or by a table nobody registered.</summary>
public sealed class RawTableConflictException(string message) : Exception(message);
