using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlops.Notifications.Delivery;

/// <summary>
/// The signature a receiver checks: HMAC-SHA256 keyed with the subscription's secret over
/// <c>{delivery id}.{unix timestamp}.{body}</c>, sent as <c>Mlops-Webhook-Signature: v1=&lt;lowercase hex&gt;</c> next to
/// <c>Mlops-Webhook-Id</c> and <c>Mlops-Webhook-Timestamp</c> (docs/webhooks.md has the recipe).
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "Mlops-Webhook-Id";
    public const string TimestampHeader = "Mlops-Webhook-Timestamp";
    public const string SignatureHeader = "Mlops-Webhook-Signature";
    public const string EventHeader = "Mlops-Webhook-Event";
    public const string Scheme = "v1=";

    public static string Sign(string secret, Guid deliveryId, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{deliveryId:D}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        return Scheme + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>What a receiver does: recompute and compare in constant time.</summary>
    public static bool Verify(string secret, string deliveryId, string timestamp, string body, string signature)
    {
        if (!Guid.TryParse(deliveryId, out var id) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var at))
            return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, id, at, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
