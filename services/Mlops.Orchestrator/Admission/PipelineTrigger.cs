namespace Mlops.Orchestrator.Admission;

/// <summary>A trigger of any kind, as admission sees it: for one model, from one message.</summary>
public sealed record PipelineTrigger
{
    public required TriggerKind Kind { get; init; }

    /// <summary>The message that carried the trigger.</summary>
    public required Guid MessageId { get; init; }

    /// <summary>The model's full name; none when the trigger concerns no configured model (data nobody trains on).</summary>
    public required string? ModelName { get; init; }

    public required string Environment { get; init; }

    public required string Principal { get; init; }

    /// <summary>What the trigger said, for operators.</summary>
    public required string Detail { get; init; }

    /// <summary>The raw batch to compute features from; the latest when empty.</summary>
    public Guid? RawBatchId { get; init; }

    /// <summary>A code version that overrides the model's last released one.</summary>
    public string? CodeVersion { get; init; }

    /// <summary>Trainer parameters that override single parameters of the last released code.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>For a follow-up: the finished run whose recorded triggers it coalesces.</summary>
    public Guid? FollowUpOf { get; init; }

    /// <summary>What a monitoring alert adds: the version it was measured against and its way back after a cooldown.</summary>
    public MonitoringAlert? Alert { get; init; }
}
