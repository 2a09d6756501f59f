namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>A row of pipeline.triggers.</summary>
public sealed record TriggerRow
{
    public string Kind { get; init; } = "";
    public Guid MessageId { get; init; }
    public string? ModelName { get; init; }
    public Guid? RunId { get; init; }
    public string Disposition { get; init; } = "";
    public string Detail { get; init; } = "";
    public DateTime ReceivedAt { get; init; }
    public DateTime? RecheckAt { get; init; }
    public Guid? RecheckToken { get; init; }
}
