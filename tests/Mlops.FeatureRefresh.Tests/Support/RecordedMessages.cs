using System.Collections.Concurrent;
using Mlops.Contracts;
using Mlops.Testing;

namespace Mlops.FeatureRefresh.Tests.Support;

/// <summary>What the recording host heard, in arrival order.</summary>
public sealed class RecordedMessages
{
    private readonly ConcurrentQueue<object> _messages = new();

    public void Add(object message) => _messages.Enqueue(message);

    public IReadOnlyList<T> Of<T>() => _messages.OfType<T>().ToList();

    public Task<IReadOnlyList<T>> WaitForAsync<T>(Func<T, bool> match, string what, int count = 1) =>
        Eventually.WaitAsync(() => Task.FromResult<IReadOnlyList<T>>(Of<T>().Where(match).ToList()), found => found.Count >= count, what);

    /// <summary>Every answer of the feature refresh step to one pipeline run.</summary>
    public IReadOnlyList<object> AnswersTo(Guid runId) => _messages.Where(message => message switch
    {
        FeatureTableRefreshed refreshed => refreshed.CorrelationId == runId,
        DataQualityViolated violated => violated.CorrelationId == runId,
        FeatureRefreshFailed failed => failed.CorrelationId == runId,
        _ => false,
    }).ToList();

    public Task<IReadOnlyList<object>> WaitForAnswersAsync(Guid runId, int count = 1) =>
        Eventually.WaitAsync(() => Task.FromResult(AnswersTo(runId)), answers => answers.Count >= count, $"{count} answer(s) to run {runId}");
}
