namespace Mlops.Notifications.Tests;

/// <summary>One POST the test receiver got: which hook, the three signature headers, the event header, the exact body, and whether the signature verified.</summary>
public sealed record ReceivedWebhook(string Hook, string DeliveryId, string Timestamp, string Signature, string EventType, string Body, bool Verified, int Answered)
{
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;

    public Guid EventId => Json.GetProperty("id").GetGuid();
}
