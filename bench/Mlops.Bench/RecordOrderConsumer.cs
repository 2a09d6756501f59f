using MassTransit;
using Mlops.Bench.Messages;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Bench;

/// <summary>
/// P2's durable consumer: registered, so the project's transactional filter wraps it (inbox row, this write and the
/// outbox row of the event in one transaction).
/// </summary>
public sealed class RecordOrderConsumer(DbSession session) : IConsumer<BenchOrder>
{
    public const string InsertSql = "INSERT INTO bench_orders (sequence, variant) VALUES (@sequence, @variant)";

    public async Task Consume(ConsumeContext<BenchOrder> context)
    {
        await using var command = new NpgsqlCommand(InsertSql, session.Connection, session.Transaction);
        command.Parameters.AddWithValue("sequence", context.Message.Sequence);
        command.Parameters.AddWithValue("variant", "durable");
        await command.ExecuteNonQueryAsync(context.CancellationToken);
        await context.Publish(new BenchOrderRecorded { Sequence = context.Message.Sequence });
    }
}
