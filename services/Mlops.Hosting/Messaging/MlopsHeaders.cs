using MassTransit;

namespace Mlops.Hosting.Messaging;

/// <summary>Transport headers Mlops adds to a message it sends back to its queue.</summary>
public static class MlopsHeaders
{
    /// <summary>How many delayed redeliveries the message has had so far.</summary>
    public const string RedeliveryCount = "Mlops-Redelivery-Count";

    /// <summary>Why the last attempt failed.</summary>
    public const string RedeliveryReason = "Mlops-Redelivery-Reason";

    /// <summary>The redeliveries so far, from the message's headers (the envelope's, for MassTransit's JSON envelope) or the transport's.</summary>
    public static int RedeliveriesOf(ReceiveContext context)
    {
        if (context.TryGetPayload(out ConsumeContext? consume) && consume.Headers.TryGetHeader(RedeliveryCount, out var value)
            && int.TryParse(Text(value), out var count))
            return count;
        return context.TransportHeaders.TryGetHeader(RedeliveryCount, out value) && int.TryParse(Text(value), out count) ? count : 0;
    }

    public static int RedeliveriesOf(ConsumeContext context) =>
        context.Headers.TryGetHeader(RedeliveryCount, out var value) && int.TryParse(Text(value), out var count) ? count : RedeliveriesOf(context.ReceiveContext);

    /// <summary>
    /// Sets (or, with a null count, removes) the redelivery headers inside a MassTransit JSON envelope: the outbox re-sends the
    /// envelope's own headers, not the transport's. Other bodies are returned as they are; their transport headers carry the count.
    /// </summary>
    public static string WithRedeliveryHeaders(string body, string? contentType, int? count, string? reason)
    {
        if (contentType is null || !contentType.Contains("masstransit+json", StringComparison.OrdinalIgnoreCase))
            return body;
        if (System.Text.Json.Nodes.JsonNode.Parse(body) is not System.Text.Json.Nodes.JsonObject envelope)
            return body;

        if (envelope["headers"] is not System.Text.Json.Nodes.JsonObject headers)
            envelope["headers"] = headers = new System.Text.Json.Nodes.JsonObject();
        headers.Remove(RedeliveryCount);
        headers.Remove(RedeliveryReason);
        if (count is { } value)
        {
            headers[RedeliveryCount] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers[RedeliveryReason] = reason;
        }
        return envelope.ToJsonString();
    }

    /// <summary>The transport headers as plain values: RabbitMQ hands string headers over as UTF-8 bytes.</summary>
    public static Dictionary<string, object> PlainTransportHeaders(ReceiveContext context) =>
        context.TransportHeaders.GetAll()
            .Where(x => x.Value is not null)
            .ToDictionary(x => x.Key, x => x.Value is string or bool or int or long or double or decimal ? x.Value : (object)Text(x.Value)!,
                StringComparer.OrdinalIgnoreCase);

    private static string? Text(object? value) => value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : value?.ToString();
}
