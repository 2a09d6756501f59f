using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Mlops.Hosting;
using Mlops.Serving;
using Mlops.Serving.Inference;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Bench;

/// <summary>
/// P6: inference-log rows through Serving's own path — reserved and queued in <see cref="InferenceLog"/>, written by
/// <see cref="InferenceLogWriter"/> (binary COPY per batch, the batch recorded and PredictionsLogged put in the outbox, one
/// transaction each) — from the first row queued to the last batch committed, against one plain Npgsql binary COPY of the
/// same rows into the same table in one transaction. Best of two alternating rounds each.
/// </summary>
public static class IngestBenchmark
{
    private const int RowsPerRequest = 100;
    private const int WarmUpRows = 2_000;
    private const int Rounds = 2;

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int count)
    {
        var spill = Path.Combine(Path.GetTempPath(), $"mlops-bench-spill-{Environment.ProcessId}");
        await using var bus = await BenchBus.StartAsync(infrastructure, builder =>
        {
            builder.Configuration["Serving:InferenceLog:Capacity"] = (Rounds * count + WarmUpRows).ToString();
            builder.Configuration["Serving:InferenceLog:SpillDirectory"] = spill;
            builder.Services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.Section);
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddMlopsMigrations(typeof(InferenceLogWriter).Assembly);
            builder.Services.AddSingleton<InferenceLog>();
            builder.Services.AddSingleton<InferenceLogSpill>();
            builder.Services.AddHostedService<InferenceLogWriter>();
        });
        var log = bus.Services.GetRequiredService<InferenceLog>();

        await QueueAsync(log, Rows(WarmUpRows));
        await LoggedAsync(bus, WarmUpRows);
        var rows = Rows(count);
        // Two rounds, alternating, best of each: the table grows as they go and the machine is shared.
        double ours = 0, copy = 0;
        for (var round = 1; round <= Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            await QueueAsync(log, rows);
            await LoggedAsync(bus, WarmUpRows + (long)round * count);
            ours = Math.Max(ours, count / watch.Elapsed.TotalSeconds);

            watch.Restart();
            await CopyAsync(infrastructure.ConnectionString, rows);
            copy = Math.Max(copy, count / watch.Elapsed.TotalSeconds);
        }
        if (Directory.Exists(spill))
            Directory.Delete(spill, recursive: true);

        Console.WriteLine($"P6 ingest, {count:N0} rows: InferenceLogWriter {ours:N0} rows/s, plain binary COPY {copy:N0} rows/s");
        return new BenchResult
        {
            Id = "P6",
            Measure = $"inference-log ingest, {count:N0} rows: InferenceLog + InferenceLogWriter ÷ one Npgsql binary COPY",
            Unit = "rows/s",
            Ours = ours,
            Baseline = copy,
            Goal = double.NaN,
            GoalText = "none set",
            Details = new Dictionary<string, double> { ["rows_per_request"] = RowsPerRequest },
            Note = "ours also records each batch and puts PredictionsLogged in the outbox, in the same transaction",
        };
    }

    private static InferenceRecord[] Rows(int count)
    {
        var servedAt = DateTimeOffset.UtcNow;
        return [.. Enumerable.Range(0, count).Select(i => new InferenceRecord(
            Guid.CreateVersion7(), i % RowsPerRequest, "bench.churn", 3, Shadow: false,
            $$"""{"tenure": {{i % 72}}, "monthly": {{20 + i % 97}}.5, "plan": "p{{i % 4}}", "support_calls": {{i % 9}}}""",
            (i % 1000) / 1000.0, 1.25, servedAt.AddTicks(i)))];
    }

    private static async Task QueueAsync(InferenceLog log, InferenceRecord[] rows)
    {
        foreach (var request in rows.Chunk(RowsPerRequest))
        {
            if (!await log.TryReserveAsync(request.Length, TimeSpan.FromSeconds(30), CancellationToken.None))
                throw new InvalidOperationException("The inference log refused rows: its capacity is too small for the benchmark.");
            foreach (var row in request)
                log.Enqueue(row);
        }
    }

    private static async Task LoggedAsync(BenchBus bus, long rows)
    {
        var deadline = Stopwatch.StartNew();
        // A benchmark may poll: it waits for the writer to commit every row, with a short period next to the run's seconds.
        while (await bus.CountAsync("SELECT coalesce(sum(row_count), 0) FROM serving.logged_batches") < rows)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
                throw new TimeoutException($"The inference log writer did not write {rows} rows in 5 minutes.");
            await Task.Delay(10);
        }
    }

    private static async Task CopyAsync(string connectionString, InferenceRecord[] rows)
    {
        var batch = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY serving.inference_log (log_batch_id, request_id, row_index, model_name, model_version, shadow, features, prediction, latency_ms, served_at)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var row in rows)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(batch, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.RequestId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(row.RowIndex, NpgsqlDbType.Integer);
                await writer.WriteAsync(row.ModelName, NpgsqlDbType.Text);
                await writer.WriteAsync(row.ModelVersion, NpgsqlDbType.Integer);
                await writer.WriteAsync(row.Shadow, NpgsqlDbType.Boolean);
                await writer.WriteAsync(row.FeaturesJson, NpgsqlDbType.Jsonb);
                await writer.WriteAsync(row.Prediction, NpgsqlDbType.Double);
                await writer.WriteAsync(row.LatencyMilliseconds, NpgsqlDbType.Double);
                await writer.WriteAsync(row.ServedAt, NpgsqlDbType.TimestampTz);
            }
            await writer.CompleteAsync();
        }
        await transaction.CommitAsync();
    }
}
