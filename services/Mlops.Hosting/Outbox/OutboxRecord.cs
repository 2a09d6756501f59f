using MassTransit;
using MassTransit.Metadata;
using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Mlops.Hosting.Outbox;

/// <summary>An outbox row as MassTransit's outbox send pipe wants to read it back.</summary>
public sealed class OutboxRecord : OutboxMessageContext
{
    private Headers _headers = EmptyHeaders.Instance;
    private IReadOnlyDictionary<string, object> _properties = new Dictionary<string, object>();
    private Uri? _destination;
    private Uri? _source;
    private Uri? _response;
    private Uri? _fault;

    public long SequenceNumber { get; init; }
    public Guid MessageId { get; init; }
    public string DestinationAddress { get; init; } = "";
    public string MessageType { get; init; } = "";
    public string ContentType { get; init; } = "";
    public string Body { get; init; } = "";
    public string? HeadersJson { get; init; }
    public string? PropertiesJson { get; init; }
    public Guid? ConversationId { get; init; }
    public Guid? CorrelationId { get; init; }
    public Guid? InitiatorId { get; init; }
    public Guid? RequestId { get; init; }
    public string? SourceAddressText { get; init; }
    public string? ResponseAddressText { get; init; }
    public string? FaultAddressText { get; init; }
    public DateTime? ExpirationTime { get; init; }
    public DateTime SentTime { get; init; }
    public int Attempts { get; init; }

    /// <summary>The destination, parsed once by <see cref="Deserialize"/>: the send pipe, the endpoint cache and the span all read it.</summary>
    public Uri Destination => _destination ?? throw new InvalidOperationException("Deserialize the row before reading its destination.");

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers;
    HostInfo MessageContext.Host => HostMetadataCache.Host;
    Uri? MessageContext.SourceAddress => _source;
    Uri? MessageContext.DestinationAddress => Destination;
    Uri? MessageContext.ResponseAddress => _response;
    Uri? MessageContext.FaultAddress => _fault;
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties;

    /// <summary>Parses the addresses, headers and properties once; throws when any of them cannot be read (the row is poison).</summary>
    public OutboxRecord Deserialize()
    {
        if (!Uri.TryCreate(DestinationAddress, UriKind.Absolute, out var destination))
            throw new FormatException($"The destination '{DestinationAddress}' is not an absolute address.");
        _destination = destination;
        _source = ToUri(SourceAddressText);
        _response = ToUri(ResponseAddressText);
        _fault = ToUri(FaultAddressText);
        var serializer = SystemTextJsonMessageSerializer.Instance;
        var headers = serializer.DeserializeDictionary<object?>(HeadersJson);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers!);
        _properties = serializer.DeserializeDictionary<object>(PropertiesJson) ?? new Dictionary<string, object>();
        return this;
    }

    private static Uri? ToUri(string? text) => string.IsNullOrEmpty(text) ? null : new Uri(text);
}
