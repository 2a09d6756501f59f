using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlops.Notifications.Tests;

/// <summary>The C# verification recipe of docs/webhooks.md, written from the document (not from the service's code), so the test checks the document too.</summary>
public static class ReceiverRecipe
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static bool Verify(string secret, string id, string timestamp, string body, string signatureHeader)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
            return false;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = "v1=" + Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signatureHeader));
    }
}
