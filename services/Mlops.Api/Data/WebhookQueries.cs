using Dapper;
using Mlops.Api.Responses;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Api.Data;

/// <summary>
/// The notifications service's webhook tables, as the API manages them (the notifications service owns and migrates them).
/// Writes run in the request's session, so they commit with their audit entry. The secret arrives here already encrypted.
/// </summary>
public sealed class WebhookQueries(NpgsqlDataSource dataSource)
{
    private const string SubscriptionColumns = """
        id AS Id, url AS Url, model_name AS Model, event_types AS EventTypes, description AS Description, status AS Status,
        status_reason AS StatusReason, created_by AS CreatedBy, created_at AS CreatedAt
        """;

    public async Task<IReadOnlyList<WebhookEventType>> EventTypesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookEventType>(new CommandDefinition(
            "SELECT name AS Name, description AS Description, model_scoped AS ModelScoped FROM notifications.event_types ORDER BY name",
            cancellationToken: cancellationToken));
        return [.. rows];
    }

    public async Task CreateAsync(DbSession session, Guid id, string url, string? model, IReadOnlyList<string> eventTypes, byte[] secretEncrypted,
        string description, string createdBy, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notifications.subscriptions (id, url, model_name, event_types, secret_encrypted, description, created_by)
            VALUES (@id, @url, @model, @eventTypes, @secretEncrypted, @description, @createdBy)
            """, new { id, url, model, eventTypes = eventTypes.ToArray(), secretEncrypted, description, createdBy }, session.Transaction,
            cancellationToken: cancellationToken));

    public async Task<WebhookSubscription?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionColumns} FROM notifications.subscriptions WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToResponse();
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(bool includeDeleted, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionColumns} FROM notifications.subscriptions WHERE @includeDeleted OR status <> 'deleted' ORDER BY created_at, id",
            new { includeDeleted }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToResponse())];
    }

    /// <summary>Moves a subscription from one status to another; false when it was not in <paramref name="from"/>.</summary>
    public async Task<bool> SetStatusAsync(DbSession session, Guid id, string[] from, string to, string reason, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE notifications.subscriptions SET status = @to, status_reason = @reason, status_changed_at = now()
            WHERE id = @id AND status = ANY (@from)
            """, new { id, from, to, reason }, session.Transaction, cancellationToken: cancellationToken)) == 1;

    public async Task<IReadOnlyList<WebhookDelivery>> DeliveriesAsync(Guid subscriptionId, string? status, DateTimeOffset? from, DateTimeOffset? to, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WebhookDelivery>(new CommandDefinition("""
            SELECT d.id AS Id, d.sequence AS Sequence, d.event_id AS EventId, e.event_type AS EventType, e.occurred_at AS OccurredAt, d.replay_of AS ReplayOf,
                d.status AS Status, d.attempts AS Attempts, d.last_status_code AS LastStatusCode, d.last_error AS LastError, d.created_at AS CreatedAt,
                d.next_attempt_at AS NextAttemptAt, d.delivered_at AS DeliveredAt, d.failed_at AS FailedAt
            FROM notifications.deliveries d JOIN notifications.events e ON e.id = d.event_id
            WHERE d.subscription_id = @subscriptionId AND (@status::text IS NULL OR d.status = @status)
              AND (@from::timestamptz IS NULL OR e.occurred_at >= @from) AND (@to::timestamptz IS NULL OR e.occurred_at < @to)
            ORDER BY d.sequence DESC
            LIMIT @limit
            """, new { subscriptionId, status, from, to, limit }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>
    /// New deliveries (new ids, the replayed delivery named in replay_of) of every event the subscription was sent that
    /// occurred in [from, to), in their original order, appended to the subscription's sequence under its row lock.
    /// </summary>
    public async Task<int> ReplayAsync(DbSession session, Guid subscriptionId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            WITH originals AS (
                SELECT d.id, d.event_id, row_number() OVER (ORDER BY d.sequence) AS n
                FROM notifications.deliveries d JOIN notifications.events e ON e.id = d.event_id
                WHERE d.subscription_id = @subscriptionId AND d.replay_of IS NULL AND e.occurred_at >= @from AND e.occurred_at < @to
            ), numbered AS (
                UPDATE notifications.subscriptions SET next_sequence = next_sequence + (SELECT count(*) FROM originals)
                WHERE id = @subscriptionId
                RETURNING next_sequence - (SELECT count(*) FROM originals) AS first
            )
            INSERT INTO notifications.deliveries (id, subscription_id, sequence, event_id, replay_of)
            SELECT gen_random_uuid(), @subscriptionId, numbered.first + originals.n - 1, originals.event_id, originals.id
            FROM originals, numbered
            """, new { subscriptionId, from, to }, session.Transaction, cancellationToken: cancellationToken));

    /// <summary>Dapper cannot pass a text[] to a record's constructor; it can set a property.</summary>
    private sealed class SubscriptionRow
    {
        public Guid Id { get; init; }
        public string Url { get; init; } = "";
        public string? Model { get; init; }
        public string[] EventTypes { get; init; } = [];
        public string Description { get; init; } = "";
        public string Status { get; init; } = "";
        public string? StatusReason { get; init; }
        public string CreatedBy { get; init; } = "";
        public DateTime CreatedAt { get; init; }

        public WebhookSubscription ToResponse() => new(Id, Url, Model, EventTypes, Description, Status, StatusReason, CreatedBy, CreatedAt);
    }
}
