namespace Mlops.Orchestrator.Sagas;

/// <summary>One line of a run's history: the state it was in (or entered), when, and what happened.</summary>
public sealed record PipelineHistoryEntry(string State, DateTimeOffset At, string Note);
