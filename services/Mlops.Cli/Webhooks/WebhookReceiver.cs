using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mlops.Cli.Webhooks;

/// <summary>
/// A webhook receiver as docs/webhooks.md tells one to verify a delivery, written from the document: the raw body bytes,
/// the timestamp within five minutes of this clock, HMAC-SHA256 with the subscription's secret over
/// <c>{Mlops-Webhook-Id}.{Mlops-Webhook-Timestamp}.{body}</c> compared in constant time, and a delivery id seen before
/// dropped. It describes each verified event in one line (type, model, run, outcome).
/// </summary>
public sealed class WebhookReceiver(string secret, TimeProvider clock)
{
    public const string IdHeader = "Mlops-Webhook-Id";
    public const string TimestampHeader = "Mlops-Webhook-Timestamp";
    public const string SignatureHeader = "Mlops-Webhook-Signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    /// <summary>The HTTP status to answer and the line to print: 204 and the event, 200 for a repeat, 401 or 400 and why not.</summary>
    public (int Status, string Line) Receive(string? deliveryId, string? timestamp, string? signature, byte[] body)
    {
        if (string.IsNullOrEmpty(deliveryId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
            return (400, $"REFUSED a delivery without {IdHeader}, {TimestampHeader} and {SignatureHeader}");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
            return (400, $"REFUSED delivery {deliveryId}: timestamp {timestamp} is more than {Tolerance.TotalMinutes:0} minutes from this clock");

        var signed = Encoding.UTF8.GetBytes($"{deliveryId}.{timestamp}.").Concat(body).ToArray();
        var expected = Encoding.ASCII.GetBytes("v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, signed)));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)))
            return (401, $"REFUSED delivery {deliveryId}: the signature does not verify (wrong secret, or the body was changed)");
        if (!_seen.TryAdd(deliveryId, true))
            return (200, $"repeat of delivery {deliveryId}, already processed");
        return (204, Describe(body));
    }

    /// <summary>type, model, run and outcome of a verified event, from its JSON body.</summary>
    private static string Describe(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
            var type = Text(root, "type") ?? "?";
            var model = Text(root, "model") ?? "(registry)";
            var run = Text(data, "correlationId") ?? Text(data, "runId");
            var outcome = Text(data, "outcome") ?? Outcome(type, data);
            return $"{type,-22} {model,-20} run {run ?? "-",-36} {outcome}";
        }
        catch (JsonException)
        {
            return $"a verified delivery whose body is not JSON ({body.Length} bytes)";
        }
    }

    private static string Outcome(string type, JsonElement data) => type switch
    {
        "alias.set" => $"{Text(data, "alias")} -> v{Text(data, "version")} ({Text(data, "change")})",
        "model_version.created" => $"v{Text(data, "version")} registered",
        "approval.requested" => $"v{Text(data, "version")} waits for an approval",
        "approval.reminder" => $"v{Text(data, "version")} still waits (deadline {Text(data, "deadlineAt")})",
        _ => Text(data, "reason") ?? Text(data, "summary") ?? "",
    };

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
}
