using System.Diagnostics;
using Npgsql;

namespace Mlops.Bench.Sagas;

/// <summary>
/// P3's ceiling on this machine: one saga consume's statements (inbox row, load, versioned update, outbox row, commit), one round
/// trip each, run straight over Npgsql by as many connections as the saga endpoint has partitions, with no broker, no
/// MassTransit and no dispatcher. Copies of the tables keep it apart from the benchmark's own rows.
/// </summary>
public static class SagaTransactionCeiling
{
    public sealed record Result(double TransactionsPerSecond, double InboxMs, double LoadMs, double UpdateMs, double OutboxMs, double CommitMs);

    public static async Task<Result> RunAsync(string connectionString, int connections, int transactions)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand("""
            CREATE SCHEMA ceiling;
            CREATE TABLE ceiling.inbox (LIKE messaging.inbox INCLUDING ALL);
            CREATE TABLE ceiling.outbox (LIKE messaging.outbox INCLUDING ALL);
            CREATE TABLE ceiling.runs (LIKE bench.runs INCLUDING ALL);
            INSERT INTO ceiling.runs (correlation_id, current_state, version, data)
            SELECT gen_random_uuid(), 'FirstStep', 1, '{"currentState":"FirstStep","version":1}' FROM generate_series(1, 1000);
            """))
            await create.ExecuteNonQueryAsync();
        var runs = new List<Guid>();
        await using (var read = dataSource.CreateCommand("SELECT correlation_id FROM ceiling.runs"))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                runs.Add(reader.GetGuid(0));

        var body = new string('x', 900);
        var phases = new double[5];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async lane =>
        {
            var mine = new double[5];
            await using var connection = await dataSource.OpenConnectionAsync();
            for (var i = lane; i < transactions; i += connections)
            {
                var run = runs[i % runs.Count];
                var started = Stopwatch.GetTimestamp();
                await using var transaction = await connection.BeginTransactionAsync();
                await Execute(connection, transaction, InboxSql, ("consumer", "bench-run/BenchRunState"), ("message_id", Guid.NewGuid()), ("message_type", "BenchStepDone"));
                started = Lap(mine, 0, started);
                int version;
                await using (var load = new NpgsqlCommand(LoadSql, connection, transaction))
                {
                    load.Parameters.AddWithValue("id", run);
                    await using var reader = await load.ExecuteReaderAsync();
                    await reader.ReadAsync();
                    version = reader.GetInt32(1);
                }
                started = Lap(mine, 1, started);
                await Execute(connection, transaction, UpdateSql, ("id", run), ("version", version));
                started = Lap(mine, 2, started);
                await Execute(connection, transaction, OutboxSql, ("message_id", Guid.NewGuid()), ("body", body), ("correlation_id", run));
                started = Lap(mine, 3, started);
                await transaction.CommitAsync();
                Lap(mine, 4, started);
            }
            lock (phases)
                for (var p = 0; p < phases.Length; p++)
                    phases[p] += mine[p];
        }));
        var seconds = watch.Elapsed.TotalSeconds;

        await using (var drop = dataSource.CreateCommand("DROP SCHEMA ceiling CASCADE"))
            await drop.ExecuteNonQueryAsync();
        return new Result(transactions / seconds, phases[0] / transactions, phases[1] / transactions, phases[2] / transactions,
            phases[3] / transactions, phases[4] / transactions);
    }

    private static long Lap(double[] phases, int phase, long started)
    {
        var now = Stopwatch.GetTimestamp();
        phases[phase] += Stopwatch.GetElapsedTime(started, now).TotalMilliseconds;
        return now;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    private const string InboxSql = """
        INSERT INTO ceiling.inbox (consumer, message_id, message_type) VALUES (@consumer, @message_id, @message_type)
        ON CONFLICT (consumer, message_id) DO NOTHING
        """;

    private const string LoadSql = "SELECT data::text, version FROM ceiling.runs WHERE correlation_id = @id";

    private const string UpdateSql = """
        UPDATE ceiling.runs SET current_state = 'SecondStep', version = @version + 1,
            data = '{"currentState":"SecondStep"}'::jsonb, updated_at = now()
        WHERE correlation_id = @id AND version = @version
        """;

    private const string OutboxSql = """
        INSERT INTO ceiling.outbox (producer, message_id, destination_address, message_type, content_type, body, headers,
            correlation_id, sent_time, deliver_after)
        VALUES ('ceiling', @message_id, 'rabbitmq://localhost/bench-run-step', 'urn:message:Mlops.Bench.Messages:RunBenchStep',
            'application/vnd.masstransit+json', @body, '{}', @correlation_id, now(), now())
        """;
}
