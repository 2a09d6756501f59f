using Mlops.Hosting.Retention;

namespace Mlops.Api;

/// <summary>
/// A stored response to an Idempotency-Key only has to outlive a client's retries of that request: a day by default
/// (Retention:IdempotencyKeys:Period). The audit log is never deleted by retention: it is the record.
/// </summary>
public static class ApiRetention
{
    public static readonly RetentionRule IdempotencyKeys = new("IdempotencyKeys", """
        DELETE FROM api.idempotency_keys WHERE ctid IN (
            SELECT ctid FROM api.idempotency_keys WHERE created_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(1));
}
