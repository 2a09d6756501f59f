using System.Diagnostics;
using System.Globalization;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Monitoring;
using Mlops.Monitoring.Windows;
using Mlops.Serving;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Bench;

/// <summary>
/// P4's end-to-end part: P4's window written to serving.inference_log as Serving logs it (binary COPY, features as JSON), then
/// the real monitoring service counts it (PredictionsLogged: the rows stream with their features documents, the features are
/// extracted from them into the histograms, the window is stored) and evaluates it (MonitorModel: every metric, judged and stored in
/// monitoring.metric_results). Timed from the announcement to the stored results; the host's working set is sampled meanwhile.
/// No baseline: the issue asks for the time.
/// </summary>
public static class DriftEndToEndBenchmark
{
    private const string ModelName = "dev.ml.drift_bench";
    private const int RowsPerRequest = 1000;

    public static async Task<BenchResult> RunAsync(BenchInfrastructure infrastructure, int rows, int features)
    {
        var data = DriftData.Generate(rows, features);
        await using var monitoring = await BenchBus.StartAsync(infrastructure, service: builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Monitoring:WindowSize"] = "01:00:00",
                ["Monitoring:WindowGrace"] = "00:00:00",
                ["Monitoring:EvaluateOnSchedule"] = "false",
            });
            builder.AddMonitoringService();
            // serving.inference_log is Serving's table: its migrations make it, as in the monitoring tests.
            builder.Services.AddMlopsMigrations(typeof(ServingExtensions).Assembly);
        }, name: "monitoring");

        await SaveReferenceAsync(infrastructure, data);
        var batchId = Guid.NewGuid();
        var writing = Stopwatch.StartNew();
        await WriteLogAsync(infrastructure, data, batchId);
        var writeSeconds = writing.Elapsed.TotalSeconds;

        using var memory = new WorkingSetSampler();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await monitoring.Bus.Publish(new PredictionsLogged
        {
            BatchId = batchId, ModelName = ModelName, Environment = "dev", Principal = "bench", RowCount = rows,
        });
        await WaitAsync(monitoring, $"SELECT count(*) FROM monitoring.processed_batches WHERE batch_id = '{batchId}'");
        var ingestSeconds = watch.Elapsed.TotalSeconds;
        await monitoring.Bus.Publish(new MonitorModel { ModelName = ModelName, Environment = "dev", Principal = "bench" });
        var results = await WaitAsync(monitoring, $"SELECT count(*) FROM monitoring.metric_results WHERE model_name = '{ModelName}'");
        var totalSeconds = watch.Elapsed.TotalSeconds;
        var hostCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var values = (double)rows * features;
        var (fetchSeconds, fetchCpu) = ReadBack(infrastructure, data, batchId, extract: false);
        var (readSeconds, readCpu) = ReadBack(infrastructure, data, batchId, extract: true);
        var extractNsPerRow = (readCpu - fetchCpu) * 1e9 / rows;

        Console.WriteLine($"P4 end to end, {rows:N0} logged rows x {features} features: {totalSeconds:F2} s announcement to {results} stored results " +
            $"(counting {ingestSeconds:F2} s, {ingestSeconds * 1e9 / values:F0} ns/value; evaluating {totalSeconds - ingestSeconds:F2} s); host CPU {hostCpuSeconds:F2} s, " +
            $"working set up to {memory.MaxMb:N0} MB (from {memory.StartMb:N0}); writing the log took {writeSeconds:F1} s; reading the batch back " +
            $"{fetchSeconds:F2} s, with extraction {readSeconds:F2} s ({extractNsPerRow:F0} ns CPU per row)");
        return new BenchResult
        {
            Id = "P4e",
            Measure = $"drift end to end, {rows:N0} logged rows x {features} features: PredictionsLogged to stored metric results",
            Unit = "s",
            Ours = totalSeconds,
            Baseline = 0,
            Goal = double.NaN,
            GoalText = "none set",
            Details = new Dictionary<string, double>
            {
                ["counting_s"] = Math.Round(ingestSeconds, 2),
                ["counting_ns_per_value"] = Math.Round(ingestSeconds * 1e9 / values),
                ["evaluating_s"] = Math.Round(totalSeconds - ingestSeconds, 2),
                ["host_cpu_s"] = Math.Round(hostCpuSeconds, 2),
                ["host_working_set_max_mb"] = Math.Round(memory.MaxMb),
                ["host_working_set_start_mb"] = Math.Round(memory.StartMb),
                ["stored_results"] = results,
                ["fetch_s"] = Math.Round(fetchSeconds, 2),
                ["fetch_and_extract_s"] = Math.Round(readSeconds, 2),
                ["extract_ns_cpu_per_row"] = Math.Round(extractNsPerRow),
            },
            Note = "the real monitoring service on the bench database; counting is PostgreSQL sending each row's features document " +
                "(jsonb's text) and the host extracting the 20 features from it (LoggedFeatures) and counting them into histograms " +
                "(host_cpu_s is this process's part, the rest is PostgreSQL's); limit: fetch_s is the batch's rows read back by the " +
                "same query with nothing done to them (PostgreSQL printing the documents and the transfer), extract_ns_cpu_per_row " +
                "what extracting adds per row on the reading thread",
        };
    }

    private static async Task SaveReferenceAsync(BenchInfrastructure infrastructure, DriftData data)
    {
        var random = new Random(3_000);
        var profile = new ReferenceProfile
        {
            ModelName = ModelName,
            RowCount = data.Profiles[0].Count,
            Features = data.Profiles,
            Prediction = ProfileBuilder.Numeric("prediction", [.. Enumerable.Range(0, 5_000).Select(_ => random.NextDouble())]),
        };
        await using var connection = new NpgsqlConnection(infrastructure.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO monitoring.reference_profiles (model_name, version, artifact_sha256, profile) VALUES (@model, 1, 'bench', @profile::jsonb)
            """, connection);
        command.Parameters.AddWithValue("model", ModelName);
        command.Parameters.AddWithValue("profile", CatalogJson.Serialize(profile));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The window as one log batch, in a closed window an hour wide, as Serving writes it.</summary>
    private static async Task WriteLogAsync(BenchInfrastructure infrastructure, DriftData data, Guid batchId)
    {
        var start = DateTime.UtcNow.AddHours(-3);
        start = new DateTime(start.Year, start.Month, start.Day, start.Hour, 0, 0, DateTimeKind.Utc);
        var random = new Random(4_000);
        var json = new StringBuilder();
        await using var connection = new NpgsqlConnection(infrastructure.ConnectionString);
        await connection.OpenAsync();
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY serving.inference_log (log_batch_id, request_id, row_index, model_name, model_version, shadow, features, prediction, latency_ms, served_at)
            FROM STDIN (FORMAT BINARY)
            """);
        var requestId = Guid.Empty;
        for (var row = 0; row < data.Rows; row++)
        {
            if (row % RowsPerRequest == 0)
                requestId = Guid.NewGuid();
            json.Clear().Append('{');
            for (var f = 0; f < data.Features; f++)
            {
                var value = data.Window[(long)f * data.Rows + row];
                json.Append(f == 0 ? "\"f" : ",\"f").Append(f).Append("\":");
                // JSON has no NaN or infinity: a missing value is null, which Monitoring counts as missing, like the window's NaN.
                if (double.IsFinite(value))
                    json.Append(value.ToString("R", CultureInfo.InvariantCulture));
                else
                    json.Append("null");
            }
            json.Append('}');

            await writer.StartRowAsync();
            await writer.WriteAsync(batchId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(requestId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(row % RowsPerRequest, NpgsqlDbType.Integer);
            await writer.WriteAsync(ModelName, NpgsqlDbType.Text);
            await writer.WriteAsync(1, NpgsqlDbType.Integer);
            await writer.WriteAsync(false, NpgsqlDbType.Boolean);
            await writer.WriteAsync(json.ToString(), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(random.NextDouble(), NpgsqlDbType.Double);
            await writer.WriteAsync(1 + random.NextDouble(), NpgsqlDbType.Double);
            await writer.WriteAsync(start.AddTicks(row * (TimeSpan.TicksPerHour / 2 / data.Rows)), NpgsqlDbType.TimestampTz);
        }
        await writer.CompleteAsync();
    }

    /// <summary>
    /// The batch's rows read back with the monitoring service's query, on this thread: only fetched (the documents' bytes
    /// copied out), or also extracted as the service does. Returns (wall, thread CPU) seconds.
    /// </summary>
    private static (double Wall, double Cpu) ReadBack(BenchInfrastructure infrastructure, DriftData data, Guid batchId, bool extract)
    {
        using var connection = new NpgsqlConnection(infrastructure.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("""
            SELECT served_at, prediction, features FROM serving.inference_log
            WHERE log_batch_id = @batch_id AND model_name = @model_name AND model_version = 1 AND NOT shadow
            """, connection);
        command.Parameters.AddWithValue("batch_id", batchId);
        command.Parameters.AddWithValue("model_name", ModelName);
        var extracted = new LoggedFeatures([.. data.Profiles.Select(p => p.Name)], []);
        var buffer = new byte[4096];
        var sum = 0.0;
        var time = ThreadCpuClock.Time(() =>
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                sum += reader.GetDouble(1);
                if (extract)
                {
                    extracted.Read(reader, 2);
                    sum += extracted.Numeric[0];
                }
                else
                {
                    var length = (int)reader.GetBytes(2, 0, null, 0, 0);
                    if (length > buffer.Length)
                        buffer = new byte[length * 2];
                    reader.GetBytes(2, 0, buffer, 0, length);
                }
            }
        });
        GC.KeepAlive(sum);
        return time;
    }

    /// <summary>Polls a count until it is positive (the work it shows committed); returns it.</summary>
    private static async Task<long> WaitAsync(BenchBus bus, string countSql)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var count = await bus.CountAsync(countSql);
            if (count > 0)
                return count;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Nothing after 10 minutes: {countSql}");
            await Task.Delay(20);
        }
    }

    /// <summary>The process's working set, sampled every 20 ms while it lives.</summary>
    private sealed class WorkingSetSampler : IDisposable
    {
        private readonly Timer timer;
        private long max;

        public WorkingSetSampler()
        {
            StartMb = Environment.WorkingSet / 1048576.0;
            timer = new Timer(_ => Sample(), null, 0, 20);
        }

        public double StartMb { get; }
        public double MaxMb => Interlocked.Read(ref max) / 1048576.0;

        private void Sample()
        {
            var now = Environment.WorkingSet;
            long seen;
            while (now > (seen = Interlocked.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen)
            {
            }
        }

        public void Dispose()
        {
            timer.Dispose();
            Sample();
        }
    }
}
