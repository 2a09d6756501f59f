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

    public Uri Destination => new(DestinationAddress);

    Guid? MessageContext.MessageId => MessageId;
    DateTime? MessageContext.SentTime => SentTime;
    Headers MessageContext.Headers => _headers;
    HostInfo MessageContext.Host => HostMetadataCache.Host;
    Uri? MessageContext.SourceAddress => ToUri(SourceAddressText);
    Uri? MessageContext.DestinationAddress => Destination;
    Uri? MessageContext.ResponseAddress => ToUri(ResponseAddressText);
    Uri? MessageContext.FaultAddress => ToUri(FaultAddressText);
    IReadOnlyDictionary<string, object> OutboxMessageContext.Properties => _properties;

    public OutboxRecord Deserialize()
    {
        var serializer = SystemTextJsonMessageSerializer.Instance;
        var headers = serializer.DeserializeDictionary<object?>(HeadersJson);
        _headers = headers is null ? EmptyHeaders.Instance : new DictionarySendHeaders(headers!);
        _properties = serializer.DeserializeDictionary<object>(PropertiesJson) ?? new Dictionary<string, object>();
        return this;
    }

    private static Uri? ToUri(string? text) => string.IsNullOrEmpty(text) ? null : new Uri(text);
}
