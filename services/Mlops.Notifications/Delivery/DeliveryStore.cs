using Dapper;
using Npgsql;

namespace Mlops.Notifications.Delivery;

/// <summary>
/// notifications.deliveries as the dispatcher sees them. Only the head of each active subscription's sequence (its oldest
/// pending delivery) is ever claimed, so a subscription's deliveries go out in order and a later one never overtakes an
/// earlier one that is still being retried. A claim is a lease: another dispatcher takes it over only once it expires, and
/// every outcome is written only by the holder of the attempt it claimed.
/// </summary>
public sealed class DeliveryStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int batchSize, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var claimed = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition("""
            WITH heads AS (
                SELECT DISTINCT ON (d.subscription_id) d.id, d.next_attempt_at, d.lease_until
                FROM notifications.deliveries d
                JOIN notifications.subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
                WHERE d.status = 'pending'
                ORDER BY d.subscription_id, d.sequence
            ), due AS (
                SELECT id FROM heads
                WHERE next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                ORDER BY next_attempt_at
                LIMIT @batchSize
            )
            UPDATE notifications.deliveries d
            SET lease_until = now() + @lease, attempts = d.attempts + 1, first_attempt_at = coalesce(d.first_attempt_at, now())
            FROM due, notifications.events e, notifications.subscriptions s
            WHERE d.id = due.id AND e.id = d.event_id AND s.id = d.subscription_id
              AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < now())
            RETURNING d.id AS Id, d.subscription_id AS SubscriptionId, d.sequence AS Sequence, d.attempts AS Attempts,
                d.first_attempt_at AS FirstAttemptAt, e.event_type AS EventType, e.body AS Body, s.url AS Url, s.secret_encrypted AS SecretEncrypted
            """, new { batchSize, lease }, cancellationToken: cancellationToken));
        return [.. claimed];
    }

    public Task DeliveredAsync(ClaimedDelivery delivery, int statusCode, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE notifications.deliveries
            SET status = 'delivered', delivered_at = now(), last_status_code = @statusCode, last_error = NULL, lease_until = NULL
            WHERE id = @Id AND attempts = @Attempts AND status = 'pending'
            """, new { delivery.Id, delivery.Attempts, statusCode }, cancellationToken);

    /// <summary>Tried again after <paramref name="retryIn"/>, unless it has been failing for longer than <paramref name="giveUpAfter"/>: then failed.</summary>
    public Task RetryLaterAsync(ClaimedDelivery delivery, int? statusCode, string error, TimeSpan retryIn, TimeSpan giveUpAfter, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE notifications.deliveries
            SET last_status_code = @statusCode, lease_until = NULL,
                status = CASE WHEN now() - first_attempt_at >= @giveUpAfter THEN 'failed' ELSE 'pending' END,
                failed_at = CASE WHEN now() - first_attempt_at >= @giveUpAfter THEN now() END,
                last_error = CASE WHEN now() - first_attempt_at >= @giveUpAfter
                    THEN 'gave up after ' || attempts || ' attempts over ' || (now() - first_attempt_at)::text || ': ' || @error ELSE @error END,
                next_attempt_at = now() + @retryIn
            WHERE id = @Id AND attempts = @Attempts AND status = 'pending'
            """, new { delivery.Id, delivery.Attempts, statusCode, error, retryIn, giveUpAfter }, cancellationToken);

    public Task FailedAsync(ClaimedDelivery delivery, int? statusCode, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            UPDATE notifications.deliveries
            SET status = 'failed', failed_at = now(), last_status_code = @statusCode, last_error = @error, lease_until = NULL
            WHERE id = @Id AND attempts = @Attempts AND status = 'pending'
            """, new { delivery.Id, delivery.Attempts, statusCode, error }, cancellationToken);

    /// <summary>410 Gone: this delivery failed and the subscription is disabled; its later deliveries wait until it is enabled again.</summary>
    public Task GoneAsync(ClaimedDelivery delivery, string error, CancellationToken cancellationToken) =>
        ExecuteAsync("""
            WITH failed AS (
                UPDATE notifications.deliveries
                SET status = 'failed', failed_at = now(), last_status_code = 410, last_error = @error, lease_until = NULL
                WHERE id = @Id AND attempts = @Attempts AND status = 'pending'
                RETURNING subscription_id
            )
            UPDATE notifications.subscriptions s
            SET status = 'disabled', status_reason = 'the receiver answered 410 Gone to delivery ' || @Id::text, status_changed_at = now()
            FROM failed WHERE s.id = failed.subscription_id AND s.status = 'active'
            """, new { delivery.Id, delivery.Attempts, error }, cancellationToken);

    private async Task ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }
}
