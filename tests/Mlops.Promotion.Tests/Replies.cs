using System.Collections.Concurrent;
using Mlops.Testing;

namespace Mlops.Promotion.Tests;

/// <summary>Every reply the recording host consumed, in arrival order.</summary>
public sealed class Replies
{
    private readonly ConcurrentQueue<object> _messages = new();

    public void Add(object message) => _messages.Enqueue(message);

    public IReadOnlyList<T> Of<T>(Func<T, bool> match) => _messages.OfType<T>().Where(match).ToList();

    public async Task<IReadOnlyList<T>> WaitAsync<T>(Func<T, bool> match, int count = 1) =>
        await Eventually.WaitAsync(() => Task.FromResult(Of(match)), found => found.Count >= count, $"{count} {typeof(T).Name}");
}
