namespace Mlops.Contracts;

/// <summary>The true outcome for one served prediction, found by the request id Serving returned and the row's index in that request.</summary>
public record GroundTruthLabel
{
    public Guid RequestId { get; init; }

    public int RowIndex { get; init; }

    /// <summary>0 or 1.</summary>
    public double Label { get; init; }
}
