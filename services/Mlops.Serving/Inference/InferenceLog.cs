using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Mlops.Serving.Inference;

/// <summary>
/// The queue between the request path and the log writer. A request first reserves room for all its rows at once (a memory
/// operation while there is room); when the writer falls behind and the log is full it waits a bounded time, then is refused,
/// so a request never hangs and never gets a prediction that is not going to be logged. Room is given back only once the
/// writer has written (or set aside) the rows, so <see cref="Pending"/> counts every row not yet safe in the database.
/// </summary>
public sealed class InferenceLog(IOptions<ServingOptions> options, TimeProvider clock)
{
    private readonly Channel<InferenceRecord> _channel = Channel.CreateUnbounded<InferenceRecord>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource _roomFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private long _writingSinceTicks;
    private volatile bool _closed;
    private volatile bool _refusing;

    public int Capacity { get; } = options.Value.InferenceLog.Capacity;

    public ChannelReader<InferenceRecord> Reader => _channel.Reader;

    /// <summary>Rows accepted and not yet written.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public bool IsClosed => _closed;

    /// <summary>A request was refused for want of room and no room has been freed since.</summary>
    public bool IsRefusing => _refusing;

    /// <summary>How long the oldest unwritten row has waited; zero when nothing waits.</summary>
    public TimeSpan Lag
    {
        get
        {
            var oldest = Interlocked.Read(ref _writingSinceTicks);
            if (oldest == 0 && _channel.Reader.TryPeek(out var next))
                oldest = next.ServedAt.UtcTicks;
            return oldest == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, clock.GetUtcNow().UtcTicks - oldest));
        }
    }

    /// <summary>Reserves room for <paramref name="rows"/> rows, waiting at most <paramref name="timeout"/>; false when the log stays full or is closed.</summary>
    public async ValueTask<bool> TryReserveAsync(int rows, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (TryTake(rows))
            return true;
        var deadline = clock.GetTimestamp() + (long)(timeout.TotalSeconds * clock.TimestampFrequency);
        while (!_closed)
        {
            var roomFreed = Volatile.Read(ref _roomFreed).Task;
            if (TryTake(rows))
                return true;
            var remaining = clock.GetElapsedTime(clock.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
                break;
            try
            {
                await roomFreed.WaitAsync(remaining, clock, cancellationToken);
            }
            catch (TimeoutException)
            {
                if (TryTake(rows))
                    return true;
                break;
            }
        }
        _refusing = true;
        return false;
    }

    /// <summary>Queues a row whose room was reserved.</summary>
    public void Enqueue(InferenceRecord record)
    {
        if (!_channel.Writer.TryWrite(record))
            throw new InvalidOperationException("The inference log is closed.");
    }

    /// <summary>Gives back room: rows written, set aside, spilled, or reserved and not used.</summary>
    public void Release(int rows)
    {
        if (rows <= 0)
            return;
        Interlocked.Add(ref _pending, -rows);
        _refusing = false;
        Interlocked.Exchange(ref _roomFreed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>The writer says which row it is working on (its batch's oldest), so the lag counts rows out of the queue but not yet written.</summary>
    public void Writing(DateTimeOffset? oldest) => Interlocked.Exchange(ref _writingSinceTicks, oldest?.UtcTicks ?? 0);

    /// <summary>Stops intake: later reservations fail; rows already queued are still read.</summary>
    public void Complete()
    {
        _closed = true;
        _channel.Writer.TryComplete();
        Volatile.Read(ref _roomFreed).TrySetResult();
    }

    private bool TryTake(int rows)
    {
        while (!_closed)
        {
            var pending = Volatile.Read(ref _pending);
            if (pending + rows > Capacity)
                return false;
            if (Interlocked.CompareExchange(ref _pending, pending + rows, pending) == pending)
                return true;
        }
        return false;
    }
}
