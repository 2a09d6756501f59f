using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mlops.Bench.Sagas;

/// <summary>
/// What P3's saga consumes cost in the database, seen from inside the run: every Npgsql command (one round trip each, a batch
/// counted once) classified by what it does, with its time. Reset and read around one phase of the benchmark; commits are not
/// commands (Npgsql traces none), so a saga consume's commit is added by the reader.
/// </summary>
public sealed class SagaConsumeProbe : IDisposable
{
    public const string Inbox = "inbox";
    public const string Load = "load";
    public const string Save = "save";
    public const string Outbox = "outbox";
    public const string InboxAndLoad = "inbox+load";
    public const string SaveAndOutbox = "save+outbox";
    public const string Dispatcher = "dispatcher";
    public const string Other = "other";

    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _commands = new();

    public SagaConsumeProbe(string sagaTable)
    {
        var table = sagaTable.Split('.')[^1];
        _listener = new ActivityListener
        {
            // Npgsql traces a command only inside a span: MassTransit's consume spans are sampled too, and passed over.
            ShouldListenTo = source => source.Name is "Npgsql" or "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name != "Npgsql")
                    return;
                var kind = Classify(activity.GetTagItem("db.query.text") as string ?? "", table);
                _commands.AddOrUpdate(kind, (1, activity.Duration.TotalMilliseconds),
                    (_, sum) => (sum.Count + 1, sum.Milliseconds + activity.Duration.TotalMilliseconds));
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Commands of one kind since <see cref="Reset"/>: how many, and their time in milliseconds.</summary>
    public (long Count, double Milliseconds) Commands(string kind) => _commands.TryGetValue(kind, out var sum) ? sum : (0, 0);

    /// <summary>Round trips the saga's own transactions made (the dispatcher's and others' left out), commits not included.</summary>
    public long SagaCommands => _commands.Where(c => c.Key is not (Dispatcher or Other)).Sum(c => c.Value.Count);

    public void Reset() => _commands.Clear();

    public void Dispose() => _listener.Dispose();

    private static string Classify(string sql, string sagaTable)
    {
        var inbox = sql.Contains("messaging.inbox", StringComparison.Ordinal);
        var saga = sql.Contains(sagaTable, StringComparison.Ordinal);
        var sagaRead = saga && sql.TrimStart().StartsWith("SELECT", StringComparison.Ordinal);
        var outboxWrite = sql.Contains("INSERT INTO messaging.outbox", StringComparison.Ordinal);
        if (inbox && saga)
            return InboxAndLoad;
        if (inbox)
            return Inbox;
        if (saga && outboxWrite)
            return SaveAndOutbox;
        if (sagaRead)
            return Load;
        if (saga)
            return Save;
        if (outboxWrite)
            return Outbox;
        return sql.Contains("messaging.outbox", StringComparison.Ordinal) ? Dispatcher : Other;
    }
}
