using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Mlops.Serving.Inference;

/// <summary>
/// The bounded queue between the request path and the log writer. Enqueueing is a memory write while there is room;
/// when the writer falls behind and the queue is full, requests wait for room: back-pressure, never a dropped row.
/// </summary>
public sealed class InferenceLog(IOptions<ServingOptions> options)
{
    private readonly Channel<InferenceRecord> _channel = Channel.CreateBounded<InferenceRecord>(new BoundedChannelOptions(options.Value.InferenceLog.Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public ChannelReader<InferenceRecord> Reader => _channel.Reader;

    public int Pending => _channel.Reader.Count;

    public ValueTask WriteAsync(InferenceRecord record, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(record, cancellationToken);

    public void Complete() => _channel.Writer.TryComplete();
}
