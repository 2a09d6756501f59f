using System.Collections.Concurrent;

namespace Mlops.EndToEnd.Tests;

/// <summary>Every pipeline event the test's upstream host heard, in arrival order.</summary>
public sealed class PipelineEvents
{
    private readonly ConcurrentQueue<object> _events = new();

    public void Add(object message) => _events.Enqueue(message);

    public IReadOnlyList<T> Of<T>() => _events.OfType<T>().ToList();
}
