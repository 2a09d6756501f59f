using System.Diagnostics;
using System.Text.Json;
using Mlops.Testing;

namespace Mlops.FaultSuite.Tests;

/// <summary>What the suite reads of pipeline runs, versions and trainings, straight from the database.</summary>
public sealed class PipelineRunProbe(TestDatabase database)
{
    public static readonly string[] FinalStates = ["Completed", "Failed", "Rejected", "TimedOut", "Cancelled"];

    public sealed record Run(Guid Id, string ModelName, string? State, DateTime? DeadlineAt, DateTime? FinishedAt, string? FailureReason, IReadOnlyList<Step> History)
    {
        public bool IsFinal => State is not null && FinalStates.Contains(State);

        /// <summary>How many times the history records the run ending: exactly once is the rule.</summary>
        public int Endings => History.Count(h => FinalStates.Contains(h.State));

        /// <summary>When the run entered <paramref name="state"/> and when it left it (null while it is still there).</summary>
        public (DateTimeOffset Entered, DateTimeOffset? Left)? Span(string state)
        {
            var index = History.ToList().FindIndex(h => h.State == state);
            if (index < 0)
                return null;
            return (History[index].At, index + 1 < History.Count ? History[index + 1].At : null);
        }

        public override string ToString() => $"{Id} {State}{(FailureReason is null ? "" : $" ({FailureReason})")}";
    }

    public sealed record Step(string State, DateTimeOffset At, string Note);

    private sealed record Row(Guid Id, string? State, string Data);

    private const string RunsSql = """
        SELECT correlation_id AS Id, current_state AS State, data::text AS Data
        FROM pipeline.deploy_code_pipeline_runs
        """;

    public async Task<IReadOnlyList<Run>> AllAsync() =>
        (await database.QueryAsync<Row>(RunsSql + " ORDER BY created_at")).Select(Parse).ToList();

    public async Task<Run> GetAsync(Guid id) =>
        Parse((await database.QueryAsync<Row>(RunsSql + " WHERE correlation_id = @id", new { id })).Single());

    public async Task<Run> StartedSinceAsync(string model, DateTime since)
    {
        var rows = await Eventually.WaitAsync(
            () => database.QueryAsync<Row>(RunsSql + " WHERE created_at >= @since AND data->>'modelName' = @model ORDER BY created_at", new { since, model }),
            r => r.Count > 0, $"a run of {model} to start", TimeSpan.FromSeconds(60));
        return Parse(rows[0]);
    }

    public Task<Run> WaitFinalAsync(Guid id, TimeSpan timeout) =>
        Eventually.WaitAsync(() => GetAsync(id), r => r.IsFinal, $"run {id} to end", timeout);

    /// <summary>
    /// Polls tightly until the run is in <paramref name="state"/> (or has gone past it): a kill meant for the moment a step
    /// starts must not arrive a quarter of a second late. Returns the state it saw.
    /// </summary>
    public async Task<string?> WaitStateAsync(Guid id, string state, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var current = await database.ScalarAsync<string?>(
                "SELECT current_state FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @id", new { id });
            if (current == state || (current is not null && FinalStates.Contains(current)))
                return current;
            var history = (await GetAsync(id)).History;
            if (history.Any(h => h.State == state))
                return current;
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"Run {id} did not reach {state} within {timeout.TotalSeconds:0} s; it is {current}");
            await Task.Delay(10);
        }
    }

    /// <summary>Runs with more than one registered version (the unique index makes this 0 unless it is dropped).</summary>
    public Task<long> DuplicateVersionsAsync() => database.ScalarAsync<long>("""
        SELECT count(*) FROM (
            SELECT pipeline_run_id FROM registry.model_versions WHERE pipeline_run_id IS NOT NULL GROUP BY pipeline_run_id HAVING count(*) > 1) d
        """);

    public Task<long> VersionsOfAsync(Guid run) =>
        database.ScalarAsync<long>("SELECT count(*) FROM registry.model_versions WHERE pipeline_run_id = @run", new { run });

    /// <summary>Trainings that ran to the end for a pipeline run: a second one means a step was done twice.</summary>
    public Task<long> FinishedTrainingsOfAsync(Guid run) =>
        database.ScalarAsync<long>("SELECT count(*) FROM tracking.runs WHERE pipeline_run_id = @run AND status = 'finished'", new { run });

    /// <summary>PipelineRunFinished messages the orchestrator committed per run, beyond the first.</summary>
    public Task<long> ExtraFinishedMessagesAsync() => database.ScalarAsync<long>("""
        SELECT coalesce(sum(n - 1), 0)::bigint FROM (
            SELECT correlation_id, count(*) AS n FROM messaging.outbox WHERE message_type LIKE '%PipelineRunFinished%' GROUP BY correlation_id) f
        """);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static Run Parse(Row row)
    {
        using var document = JsonDocument.Parse(row.Data);
        var data = document.RootElement;
        var history = data.TryGetProperty("history", out var h) && h.ValueKind == JsonValueKind.Array
            ? h.Deserialize<List<Step>>(Web) ?? []
            : [];
        return new Run(row.Id, Text(data, "modelName") ?? "", row.State, Time(data, "stepDeadlineAt"), Time(data, "finishedAt"),
            Text(data, "failureReason"), history);
    }

    private static string? Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTime? Time(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset().UtcDateTime : null;
}
