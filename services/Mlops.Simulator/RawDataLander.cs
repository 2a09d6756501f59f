using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using NpgsqlTypes;

namespace Mlops.Simulator;

/// <summary>
/// Lands a batch of customers the way an upstream pipeline would: the batch's register row, its rows (binary COPY) and the
/// <see cref="RawDataLanded"/> event (an outbox row) commit together, so downstream never hears of a batch it cannot read.
/// </summary>
public sealed class RawDataLander(IServiceScopeFactory scopes, RawBatches batches, OutboxPublisher publisher, ILogger<RawDataLander> logger)
{
    public const string SourceTable = "raw.churn_customers";

    /// <summary>Lands <paramref name="customers"/> as a new batch in a transaction of its own and returns the batch id.</summary>
    public async Task<Guid> LandAsync(IReadOnlyList<ChurnCustomer> customers, string environment, string producer, string? description = null,
        CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);
        var batchId = await LandAsync(session, customers, environment, producer, description, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return batchId;
    }

    /// <summary>Lands <paramref name="customers"/> as a new batch in the session's transaction; nothing is visible before it commits.</summary>
    public async Task<Guid> LandAsync(DbSession session, IReadOnlyList<ChurnCustomer> customers, string environment, string producer,
        string? description = null, CancellationToken cancellationToken = default)
    {
        if (!ModelName.Environments.Contains(environment))
            throw new ArgumentException($"'{environment}' is not an environment: use dev, staging or prod.", nameof(environment));
        if (string.IsNullOrWhiteSpace(producer))
            throw new ArgumentException("A batch needs its producer: the pipeline or person that landed it.", nameof(producer));

        var batchId = Guid.CreateVersion7();
        await batches.RegisterAsync(session, new RawBatch(batchId, SourceTable, customers.Count, producer, description, default, environment), cancellationToken);
        await CopyAsync(session, batchId, customers, cancellationToken);
        var landedAt = await session.Connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "SELECT landed_at FROM raw.batches WHERE batch_id = @batchId", new { batchId }, session.Transaction, cancellationToken: cancellationToken));

        await publisher.For(session).Publish(new RawDataLanded
        {
            Environment = environment,
            Principal = producer,
            BatchId = batchId,
            SourceTable = SourceTable,
            RowCount = customers.Count,
            LandedAt = new DateTimeOffset(landedAt, TimeSpan.Zero),
        }, cancellationToken);

        logger.LogInformation("Landed batch {BatchId} of {RowCount} rows into {SourceTable} for {Environment}", batchId, customers.Count, SourceTable,
            environment);
        return batchId;
    }

    private static async Task CopyAsync(DbSession session, Guid batchId, IReadOnlyList<ChurnCustomer> customers, CancellationToken cancellationToken)
    {
        await using var writer = await session.Connection.BeginBinaryImportAsync("""
            COPY raw.churn_customers (batch_id, customer_id, tenure_months, monthly_charges, total_charges, support_calls,
                                      contract_type, payment_method, internet_service, age, churned)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var customer in customers)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(batchId, NpgsqlDbType.Uuid, cancellationToken);
            await writer.WriteAsync(customer.CustomerId, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync(customer.TenureMonths, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(customer.MonthlyCharges, NpgsqlDbType.Double, cancellationToken);
            await writer.WriteAsync(customer.TotalCharges, NpgsqlDbType.Double, cancellationToken);
            await writer.WriteAsync(customer.SupportCalls, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(customer.ContractType, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(customer.PaymentMethod, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(customer.InternetService, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(customer.Age, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(customer.Churned, NpgsqlDbType.Boolean, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }
}
