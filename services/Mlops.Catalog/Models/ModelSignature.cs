namespace Mlops.Catalog.Models;

/// <summary>What a model takes and gives: the columns a scoring request must carry, with their types.</summary>
public sealed record ModelSignature
{
    public required IReadOnlyList<SignatureColumn> Inputs { get; init; }
    public SignatureColumn Output { get; init; } = new("probability", SignatureColumn.Double);
}
