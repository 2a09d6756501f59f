namespace Mlops.Orchestrator.Admission;

/// <summary>The training code last released for a model (pipeline.released_code): what data-triggered and manual runs train with.</summary>
public sealed record ReleasedCode
{
    public required string ModelName { get; init; }
    public required string Environment { get; init; }
    public required string CodeVersion { get; init; }
    public required string Trainer { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public required string ReleasedBy { get; init; }
    public required Guid MessageId { get; init; }
}
