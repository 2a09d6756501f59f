using System.Collections.Concurrent;
using Mlops.Testing;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>Every event the recording host consumed, in arrival order.</summary>
public sealed class RecordedEvents
{
    private readonly ConcurrentQueue<object> messages = new();

    public void Add(object message) => messages.Enqueue(message);

    public IReadOnlyList<T> Of<T>(Func<T, bool> match) => [.. messages.OfType<T>().Where(match)];

    public async Task<IReadOnlyList<T>> WaitAsync<T>(Func<T, bool> match, int count = 1) =>
        await Eventually.WaitAsync(() => Task.FromResult(Of(match)), found => found.Count >= count, $"{count} {typeof(T).Name}");
}
