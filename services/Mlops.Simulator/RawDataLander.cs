using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Raw;
using Mlops.Hosting.Data;
using NpgsqlTypes;

namespace Mlops.Simulator;

/// <summary>
/// Lands a batch of customers the way an upstream pipeline would, through the landing every raw table uses
/// (<see cref="RawLanding"/>): the batch's register row, its rows (binary COPY) and the RawDataLanded event (an outbox
/// row) commit together, so downstream never hears of a batch it cannot read.
/// </summary>
public sealed class RawDataLander(IServiceScopeFactory scopes, RawTables tables, RawLanding landing)
{
    public const string SourceTable = "raw.churn_customers";

    /// <summary>The columns the rows are written in: raw.churn_customers as registered (Migrations/raw/0003).</summary>
    private static readonly string[] Columns =
    [
        "customer_id", "tenure_months", "monthly_charges", "total_charges", "support_calls", "contract_type", "payment_method", "internet_service", "age",
        "churned",
    ];

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
        var table = await tables.FindAsync(session, SourceTable, cancellationToken)
                    ?? throw new InvalidOperationException($"{SourceTable} is not registered: run the catalog's migrations.");
        if (!table.Columns.Select(c => c.Name).SequenceEqual(Columns))
            throw new InvalidOperationException($"{SourceTable} is registered with columns ({string.Join(", ", table.Columns.Select(c => c.Name))}), not the simulator's.");

        var header = new RawBatchHeader(Guid.CreateVersion7(), environment, producer, description);
        var batch = await landing.LandAsync(session, table, header, async (writer, token) =>
        {
            foreach (var customer in customers)
            {
                await writer.StartRowAsync(token);
                await writer.WriteAsync(header.BatchId, NpgsqlDbType.Uuid, token);
                await writer.WriteAsync(customer.CustomerId, NpgsqlDbType.Bigint, token);
                await writer.WriteAsync(customer.TenureMonths, NpgsqlDbType.Integer, token);
                await writer.WriteAsync(customer.MonthlyCharges, NpgsqlDbType.Double, token);
                await writer.WriteAsync(customer.TotalCharges, NpgsqlDbType.Double, token);
                await writer.WriteAsync(customer.SupportCalls, NpgsqlDbType.Integer, token);
                await writer.WriteAsync(customer.ContractType, NpgsqlDbType.Text, token);
                await writer.WriteAsync(customer.PaymentMethod, NpgsqlDbType.Text, token);
                await writer.WriteAsync(customer.InternetService, NpgsqlDbType.Text, token);
                await writer.WriteAsync(customer.Age, NpgsqlDbType.Integer, token);
                await writer.WriteAsync(customer.Churned, NpgsqlDbType.Boolean, token);
            }
            return customers.Count;
        }, cancellationToken);
        return batch.BatchId;
    }
}
