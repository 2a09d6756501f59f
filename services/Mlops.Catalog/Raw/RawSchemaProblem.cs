namespace Mlops.Catalog.Raw;

/// <summary>Why a raw table schema cannot be registered; <see cref="Field"/> names the part of the schema at fault.</summary>
public sealed record RawSchemaProblem(string Field, string Message);
