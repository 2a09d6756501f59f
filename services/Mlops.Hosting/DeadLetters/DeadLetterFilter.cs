using System.Runtime.ExceptionServices;
using System.Text.Json;
using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;

namespace Mlops.Hosting.DeadLetters;

/// <summary>
/// The error pipe of every endpoint: a message that faulted for good (a consumer's final failure, or a body MassTransit
/// cannot deserialise) is written to messaging.dead_letters with its reason, and acknowledged. When the database cannot be
/// reached the next filters run (MassTransit's fault event and _error queue), so nothing is lost.
/// A transient failure whose redelivery could not be written is not dead-lettered at all: it is rethrown, and RabbitMQ requeues it.
/// </summary>
public sealed partial class DeadLetterFilter(DeadLetterStore store, string service, ILogger logger) : IFilter<ExceptionReceiveContext>
{
    public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        if (context.Exception is RedeliveryUnavailableException)
        {
            if (!context.IsFaulted)
                await context.NotifyFaulted(context.Exception);
            ExceptionDispatchInfo.Throw(context.Exception);
        }

        var letter = Describe(context);
        try
        {
            var id = await store.AddAsync(letter, CancellationToken.None);
            LogDeadLettered(context.Exception, letter.MessageType, letter.MessageId, letter.Queue, id);
        }
        catch (Exception exception)
        {
            LogFallback(exception, letter.MessageId, letter.Queue);
            await next.Send(context);
            return;
        }

        if (!context.IsFaulted)
            await context.NotifyFaulted(context.Exception);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("mlopsDeadLetter");

    private DeadLetter Describe(ExceptionReceiveContext context)
    {
        context.TryGetPayload(out ConsumeContext? consume);
        // Everything here describes input that already failed: it must fit the table whatever bytes it carries.
        var headers = MlopsHeaders.PlainTransportHeaders(context)
            .ToDictionary(x => StorableText.Of(x.Key), x => x.Value is string text ? StorableText.Of(text) : x.Value, StringComparer.OrdinalIgnoreCase);

        var messageId = consume?.MessageId;
        if (messageId is null && context.TransportHeaders.TryGetHeader("MessageId", out var raw) && Guid.TryParse(raw?.ToString(), out var parsed))
            messageId = parsed;

        var messageType = consume is null ? null : string.Join(";", consume.SupportedMessageTypes);
        if (messageType is null or "" || messageId is null)
            (messageType, messageId) = FromEnvelope(context, messageType, messageId);

        var exception = context.Exception;
        var reason = exception.InnerException is { } inner && !exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{exception.Message} ({inner.GetType().Name}: {inner.Message})"
            : exception.Message;

        return new DeadLetter
        {
            Queue = context.InputAddress.GetEndpointName() ?? context.InputAddress.AbsolutePath.Trim('/'),
            MessageId = messageId,
            MessageType = string.IsNullOrEmpty(messageType) ? null : StorableText.Of(messageType),
            Reason = StorableText.Of(string.IsNullOrWhiteSpace(reason) ? exception.GetType().Name : reason),
            ExceptionType = exception.GetType().FullName,
            Headers = JsonSerializer.Serialize(headers),
            // A body with a raw NUL is not valid JSON either, so replaying the escaped copy loses nothing that could have worked.
            Body = StorableText.Of(System.Text.Encoding.UTF8.GetString(context.Body.GetBytes())),
            Redeliveries = MlopsHeaders.RedeliveriesOf(context),
            Service = service,
            ContentType = context.ContentType?.ToString(),
            InputAddress = context.InputAddress.ToString(),
        };
    }

    /// <summary>The message type and id read from a MassTransit JSON envelope, when the consume context is gone or never existed.</summary>
    private static (string? MessageType, Guid? MessageId) FromEnvelope(ExceptionReceiveContext context, string? messageType, Guid? messageId)
    {
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(context.Body.GetBytes()) is System.Text.Json.Nodes.JsonObject envelope)
            {
                if (string.IsNullOrEmpty(messageType) && envelope["messageType"] is System.Text.Json.Nodes.JsonArray types)
                    messageType = string.Join(";", types.Select(x => x?.ToString()));
                if (messageId is null && Guid.TryParse(envelope["messageId"]?.ToString(), out var id))
                    messageId = id;
            }
        }
        catch (JsonException)
        {
            // Not JSON at all: the reason says so.
        }
        return (messageType, messageId);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{MessageType} {MessageId} on {Queue} failed for good: dead letter {DeadLetterId}")]
    private partial void LogDeadLettered(Exception exception, string? messageType, Guid? messageId, string queue, long deadLetterId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} on {Queue} could not be written to messaging.dead_letters; it goes to the _error queue")]
    private partial void LogFallback(Exception exception, Guid? messageId, string queue);
}
