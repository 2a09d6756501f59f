namespace Mlops.Contracts;

/// <summary>End a pipeline run by hand (mlops runs cancel): it ends Cancelled, with the reason. A run already final stays as it is.</summary>
public record CancelPipelineRun
{
    /// <summary>The pipeline run to end.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>Why.</summary>
    public string Reason { get; init; } = "";
}
