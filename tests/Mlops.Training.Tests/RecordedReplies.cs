using System.Collections.Concurrent;

namespace Mlops.Training.Tests;

/// <summary>What the training service answered, by pipeline run, in the order the recorder consumed it.</summary>
public sealed class RecordedReplies
{
    private readonly ConcurrentQueue<(Guid RunId, object Message)> _replies = new();

    public void Add(Guid runId, object message) => _replies.Enqueue((runId, message));

    public IReadOnlyList<object> For(Guid runId) => _replies.Where(r => r.RunId == runId).Select(r => r.Message).ToList();
}
