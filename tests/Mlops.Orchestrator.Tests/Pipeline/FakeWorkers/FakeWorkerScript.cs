using System.Collections.Concurrent;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

/// <summary>The fake workers' script (behaviour per model) and their memory of every command they received.</summary>
public sealed class FakeWorkerScript(IReadOnlyDictionary<string, FakeBehaviour> behaviours)
{
    public const int ModelVersion = 4;
    public const int Champion = 3;
    public const int FeatureVersion = 7;

    private readonly ConcurrentQueue<(Guid RunId, object Command)> _received = new();

    public FakeBehaviour For(string model) => behaviours.GetValueOrDefault(model, FakeBehaviour.AnswersEverything);

    /// <summary>Remembers the command and tells whether this delivery gets a reply.</summary>
    public bool Answers<T>(Guid runId, string model, T command)
        where T : class
    {
        _received.Enqueue((runId, command));
        var behaviour = For(model);
        var type = typeof(T).Name;
        return behaviour.NeverAnswers != type && !(behaviour.LosesFirstReplyTo == type && Received<T>(runId).Count == 1);
    }

    public IReadOnlyList<T> Received<T>(Guid runId) =>
        _received.Where(r => r.RunId == runId).Select(r => r.Command).OfType<T>().ToList();
}
