using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Bench.Messages;
using Mlops.Bench.Sagas;
using Mlops.Hosting.Sagas;
using Npgsql;

namespace Mlops.Bench;

/// <summary>
/// P3: a three-step saga on the project's Postgres saga repository, outbox and inbox (<see cref="BenchRunStateMachine"/>),
/// with a step worker that answers at once. Step overhead: from one step's command reaching the worker to the next one's,
/// over runs one at a time. Load: many runs started together, saga consumes per second and runs that never complete.
/// The goals are absolute (issue 12): there is no baseline to divide by.
/// </summary>
public static class SagaBenchmark
{
    private const int SequentialRuns = 30;
    private const string SagaTable = "bench.runs";

    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BenchInfrastructure infrastructure, int concurrentRuns)
    {
        await using (var connection = new NpgsqlConnection(infrastructure.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("""
                CREATE SCHEMA bench;
                CREATE TABLE bench.runs (correlation_id uuid PRIMARY KEY, current_state text, version integer NOT NULL, data jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
                """, connection);
            await create.ExecuteNonQueryAsync();
        }

        var stepArrivals = new ConcurrentDictionary<(Guid Run, int Step), long>();
        var completed = new ConcurrentDictionary<Guid, long>();
        var completion = new SemaphoreSlim(0);
        await using var bus = await BenchBus.StartAsync(infrastructure, consumers: registration =>
            registration.AddSagaStateMachine<BenchRunStateMachine, BenchRunState, BenchRunStateDefinition>().PostgresRepository(SagaTable));
        var connector = bus.Services.GetRequiredService<IReceiveEndpointConnector>();
        var worker = connector.ConnectReceiveEndpoint("bench-run-step", (_, cfg) => cfg.Handler<RunBenchStep>(context =>
        {
            stepArrivals[(context.Message.CorrelationId, context.Message.Step)] = Stopwatch.GetTimestamp();
            return context.Publish(new BenchStepDone { CorrelationId = context.Message.CorrelationId, Step = context.Message.Step });
        }));
        var finished = connector.ConnectReceiveEndpoint("bench-run-completed", (_, cfg) => cfg.Handler<BenchRunCompleted>(context =>
        {
            if (completed.TryAdd(context.Message.CorrelationId, Stopwatch.GetTimestamp()))
                completion.Release();
            return Task.CompletedTask;
        }));
        await Task.WhenAll(worker.Ready, finished.Ready);
        // The host has migrated the messaging tables that the ceiling copies; nothing runs on the bus yet.
        var ceiling = await SagaTransactionCeiling.RunAsync(infrastructure.ConnectionString, BenchRunStateDefinition.Partitions,
            Math.Max(2_000, 4 * concurrentRuns));

        // Tracing every command and consume costs CPU itself: the probe watches the runs one at a time only, not the CPU measure.
        var probe = new SagaConsumeProbe(SagaTable);

        // One at a time: each step's overhead is the time from its command at the worker to the next command there.
        var gaps = new List<double>();
        for (var i = 0; i < SequentialRuns + 3; i++)
        {
            var run = Guid.NewGuid();
            await bus.Bus.Publish(new StartBenchRun { CorrelationId = run });
            if (!await completion.WaitAsync(TimeSpan.FromSeconds(30)))
                throw new TimeoutException($"Run {run} did not complete in 30 s.");
            if (i < 3)
            {
                probe.Reset();
                continue; // warm-up
            }
            for (var step = 1; step < 3; step++)
                gaps.Add(Stopwatch.GetElapsedTime(stepArrivals[(run, step)], stepArrivals[(run, step + 1)]).TotalMilliseconds);
        }
        gaps.Sort();
        var p50 = Percentile(gaps, 0.50);
        var p99 = Percentile(gaps, 0.99);

        var sequentialWait = await OutboxWaitAsync(bus, DateTime.MinValue);
        var sequential = Breakdown(probe, 4 * SequentialRuns);
        probe.Dispose();

        // Many at once: four saga consumes per run (start and three answers).
        var concurrentStart = DateTime.UtcNow;
        var runs = Enumerable.Range(0, concurrentRuns).Select(_ => Guid.NewGuid()).ToArray();
        var cpu = await CpuMeter.StartAsync(infrastructure.ConnectionString);
        var watch = Stopwatch.StartNew();
        await ArrivalCounter.InFlightAsync(0, runs.Length, BusBenchmark.InFlight, i => bus.Bus.Publish(new StartBenchRun { CorrelationId = runs[i] }));
        var done = 0;
        var lastProgress = Stopwatch.StartNew();
        while (done < runs.Length && lastProgress.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await completion.WaitAsync(TimeSpan.FromSeconds(1)))
            {
                done++;
                lastProgress.Restart();
            }
        }
        var elapsed = watch.Elapsed.TotalSeconds - (done < runs.Length ? lastProgress.Elapsed.TotalSeconds : 0);
        var consumesPerSecond = 4.0 * done / elapsed;
        var (processMs, postgresMs, loadAtEnd) = await cpu.StopAsync();
        var processMsPerConsume = processMs / Math.Max(1, 4 * done);
        var postgresMsPerConsume = postgresMs / Math.Max(1, 4 * done);
        // Both sides on this machine's cores, nothing else running: the most this process and its database could do.
        var cpuCeiling = Environment.ProcessorCount * 1000 / (processMsPerConsume + postgresMsPerConsume);
        var lost = runs.Count(run => !completed.ContainsKey(run));
        var concurrentWait = await OutboxWaitAsync(bus, concurrentStart);

        var loadAverage = CpuMeter.LoadAverage();
        Console.WriteLine($"P3 saga: step overhead p50 {p50:F1} ms, p99 {p99:F1} ms over {gaps.Count} steps one run at a time; " +
            $"{concurrentRuns:N0} concurrent 3-step runs: {consumesPerSecond:N0} saga consumes/s, {lost} lost; " +
            $"{sequential.RoundTrips:F2} round trips and {processMsPerConsume + postgresMsPerConsume:F2} ms CPU per consume; " +
            $"PostgreSQL alone {ceiling.TransactionsPerSecond:N0} saga transactions/s; load average {loadAverage:F1}");
        return
        [
            new BenchResult
            {
                Id = "P3",
                Measure = $"saga step overhead, one run at a time ({gaps.Count} steps): p50 / p99",
                Unit = "ms",
                Ours = p50,
                Baseline = 0,
                Goal = 5,
                GoalText = "p50 ≤ 5 ms, p99 ≤ 20 ms",
                MetAbsolute = p50 <= 5 && p99 <= 20,
                Details = new Dictionary<string, double>
                {
                    ["p50_ms"] = Math.Round(p50, 2), ["p99_ms"] = Math.Round(p99, 2),
                    ["outbox_wait_p50_ms"] = sequentialWait.P50, ["outbox_wait_p99_ms"] = sequentialWait.P99,
                    ["round_trips_per_consume"] = Math.Round(sequential.RoundTrips, 2),
                    ["statement_ms_per_consume"] = Math.Round(sequential.StatementMs, 2),
                    ["load_average"] = loadAverage,
                },
                Note = "each step: worker publish → saga consume (inbox, state, outbox row, commit) → dispatcher claim, send, confirm, stamp → worker; "
                    + $"of a step's p50 {p50:F1} ms, the saga's statements took {sequential.StatementMs:F1} ms ({sequential.RoundTrips:F0} round trips per consume: "
                    + $"{sequential.Describe()}, plus the commit) and its outbox rows waited {sequentialWait.P50:F1} ms (p50; from being written to being stamped "
                    + "delivered: the rest of the saga's transaction, then the dispatcher's claim, send and confirm); the rest is MassTransit, the worker's "
                    + "publish and the transport; "
                    + $"the p99 tail follows the machine's load (load average {loadAverage:F1} on {Environment.ProcessorCount} cores); a minimal saga state, not the pipeline saga's",
            },
            new BenchResult
            {
                Id = "P3",
                Measure = $"{concurrentRuns:N0} concurrent 3-step runs on the Postgres saga repository",
                Unit = "consumes/s",
                Ours = consumesPerSecond,
                Baseline = 0,
                Goal = 2000,
                GoalText = "≥ 2,000 consumes/s, 0 lost",
                MetAbsolute = consumesPerSecond >= 2000 && lost == 0,
                Details = new Dictionary<string, double>
                {
                    ["lost_runs"] = lost, ["completed_runs"] = done,
                    ["outbox_wait_p50_ms"] = concurrentWait.P50, ["outbox_wait_p99_ms"] = concurrentWait.P99,
                    ["round_trips_per_consume"] = Math.Round(sequential.RoundTrips, 2),
                    ["process_cpu_ms_per_consume"] = Math.Round(processMsPerConsume, 3),
                    ["postgres_cpu_ms_per_consume"] = Math.Round(postgresMsPerConsume, 3),
                    ["cpu_bound_consumes_per_s"] = Math.Round(cpuCeiling),
                    ["postgres_alone_tx_per_s"] = Math.Round(ceiling.TransactionsPerSecond),
                    ["load_average_start"] = cpu.LoadAverageAtStart, ["load_average_end"] = loadAtEnd,
                },
                Note = $"what limits it: CPU. Per consume this process (saga, worker, dispatcher, MassTransit) used {processMsPerConsume:F2} ms and the "
                    + $"database's backends {postgresMsPerConsume:F2} ms, so {Environment.ProcessorCount} idle cores could do at most {cpuCeiling:N0} consumes/s "
                    + $"(RabbitMQ's own CPU not counted); the machine was shared (load average {cpu.LoadAverageAtStart:F1} → {loadAtEnd:F1}). "
                    + $"{sequential.RoundTrips:F2} round trips per consume (one run at a time: {sequential.Describe()}, plus commit). "
                    + $"PostgreSQL alone, the same statements one round trip each on {BenchRunStateDefinition.Partitions} connections: "
                    + $"{ceiling.TransactionsPerSecond:N0} transactions/s, ms each: inbox {ceiling.InboxMs:F2}, load {ceiling.LoadMs:F2}, "
                    + $"update {ceiling.UpdateMs:F2}, outbox {ceiling.OutboxMs:F2}, commit {ceiling.CommitMs:F2}. "
                    + "Outbox wait: from a saga's outbox row being written (its SentTime) to the dispatcher stamping it delivered",
            },
        ];
    }

    private sealed record ConsumeBreakdown(double RoundTrips, double StatementMs, IReadOnlyList<(string Kind, double Count, double Milliseconds)> Kinds)
    {
        /// <summary>Each kind of statement: round trips and milliseconds per consume.</summary>
        public string Describe() =>
            string.Join(", ", Kinds.Where(k => k.Count > 0).Select(k => $"{k.Kind} {k.Count:F2}× {k.Milliseconds:F2} ms"));
    }

    /// <summary>The saga's round trips per consume (its commit counted as one) and what its statements took.</summary>
    private static ConsumeBreakdown Breakdown(SagaConsumeProbe probe, int consumes)
    {
        string[] kinds = [SagaConsumeProbe.Inbox, SagaConsumeProbe.InboxAndLoad, SagaConsumeProbe.Load, SagaConsumeProbe.Save,
            SagaConsumeProbe.SaveAndOutbox, SagaConsumeProbe.Outbox];
        var per = kinds.Select(kind => probe.Commands(kind)).Select((c, i) => (kinds[i], (double)c.Count / consumes, c.Milliseconds / consumes)).ToList();
        return new ConsumeBreakdown((double)probe.SagaCommands / consumes + 1, per.Sum(k => k.Item3), per);
    }

    /// <summary>How long the saga's outbox rows written since <paramref name="since"/> waited before the dispatcher claimed them.</summary>
    private static async Task<(double P50, double P99)> OutboxWaitAsync(BenchBus bus, DateTime since)
    {
        var sinceText = since == DateTime.MinValue ? "-infinity" : since.ToString("O");
        var p50 = await bus.CountAsync($"""
            SELECT coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - sent_time) * 10000)), 0)::bigint
            FROM messaging.outbox WHERE delivered_at IS NOT NULL AND sent_time >= '{sinceText}'
            """);
        var p99 = await bus.CountAsync($"""
            SELECT coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - sent_time) * 10000)), 0)::bigint
            FROM messaging.outbox WHERE delivered_at IS NOT NULL AND sent_time >= '{sinceText}'
            """);
        return (p50 / 10.0, p99 / 10.0);
    }

    private static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
