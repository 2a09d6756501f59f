using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mlops.Hosting.Audit;

/// <summary>
/// How an entry's hash is computed: SHA-256 over a JSON array of the previous hash and the entry's fields. The sequence number
/// is left out on purpose: an entry moved to another place keeps a valid hash of its own, so the verifier can tell a reordering
/// (the links break) from an edit (the entry's own hash breaks).
/// </summary>
public static class AuditChain
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>PostgreSQL keeps microseconds: the instant is cut to them before hashing, so the stored value hashes the same.</summary>
    public static DateTime Truncate(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, DateTimeKind.Utc);

    public static string HashOf(string previousHash, DateTime at, string principal, string action, string resource, string outcome, string detail,
        string? traceId, string? requestId)
    {
        var canonical = JsonSerializer.Serialize(new[]
        {
            previousHash, DateTime.SpecifyKind(at, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            principal, action, resource, outcome, detail, traceId, requestId,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static string HashOf(AuditEntry entry) =>
        HashOf(entry.PreviousHash, entry.At, entry.Principal, entry.Action, entry.Resource, entry.Outcome, entry.Detail, entry.TraceId, entry.RequestId);
}
