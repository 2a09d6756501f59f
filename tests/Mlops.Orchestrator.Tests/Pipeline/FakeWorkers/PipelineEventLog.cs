using System.Collections.Concurrent;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

/// <summary>The orchestrator's announcements, as a subscriber in another service hears them.</summary>
public sealed class PipelineEventLog
{
    public ConcurrentQueue<PipelineRunFinished> RunsFinished { get; } = new();

    public ConcurrentQueue<PipelineTriggerRecorded> TriggersRecorded { get; } = new();
}
