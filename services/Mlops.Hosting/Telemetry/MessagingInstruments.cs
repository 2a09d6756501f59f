using System.Diagnostics.Metrics;

namespace Mlops.Hosting.Telemetry;

/// <summary>What the inbox and the redelivery filter count on the Mlops meter.</summary>
public static class MessagingInstruments
{
    public static readonly Counter<long> InboxDuplicates = MlopsTelemetry.Meter.CreateCounter<long>("mlops.inbox.duplicates", "{message}",
        "Messages a consumer had already processed, acknowledged and skipped by the inbox.");

    public static readonly Counter<long> Redeliveries = MlopsTelemetry.Meter.CreateCounter<long>("mlops.messaging.redeliveries", "{message}",
        "Messages sent back to their queue for a delayed redelivery after their immediate retries failed.");

    public static void InboxDuplicate(string consumer, string messageType) =>
        InboxDuplicates.Add(1, new KeyValuePair<string, object?>(MlopsTelemetry.ConsumerTag, consumer),
            new KeyValuePair<string, object?>(MlopsTelemetry.MessageTypeTag, messageType));

    public static void Redelivery(string messageType, bool transient) =>
        Redeliveries.Add(1, new KeyValuePair<string, object?>(MlopsTelemetry.MessageTypeTag, messageType),
            new KeyValuePair<string, object?>("mlops.transient", transient));
}
