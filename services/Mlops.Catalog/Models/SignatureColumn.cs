namespace Mlops.Catalog.Models;

/// <summary>One column of a signature: <see cref="Double"/> or <see cref="String"/>; inputs may be null (imputed).</summary>
public sealed record SignatureColumn(string Name, string Type)
{
    public const string Double = "double";
    public const string String = "string";
}
