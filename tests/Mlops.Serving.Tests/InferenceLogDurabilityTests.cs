using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mlops.Serving.Inference;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class SmallLogServingFixture : ServingFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serving:MaxRows"] = "50",
        ["Serving:InferenceLog:Capacity"] = "100",
        ["Serving:InferenceLog:EnqueueTimeout"] = "00:00:00.300",
        ["Serving:InferenceLog:DegradedQueueLength"] = "60",
        ["Serving:InferenceLog:DegradedLag"] = "00:00:00.300",
        ["Serving:InferenceLog:UnhealthyLag"] = "00:10:00",
        ["Serving:InferenceLog:FlushInterval"] = "00:00:00.050",
        ["Serving:InferenceLog:DrainTimeout"] = "00:00:01",
    };
}

/// <summary>Helpers shared by the inference-log situations: a served champion, and a lock that keeps the writer from committing.</summary>
internal static class InferenceLogScenario
{
    public static async Task ServeChampionAsync(ServingFixture fixture)
    {
        var v1 = await fixture.RegisterAsync(intercept: 0, weight: 1);
        await fixture.MoveAliasAsync("champion", v1, null);
        await Eventually.WaitAsync(() => fixture.InvokeAsync(Rows(1)), r => r.StatusCode == HttpStatusCode.OK, "the champion to load");
        var log = fixture.Host.Services.GetRequiredService<InferenceLog>();
        await Eventually.WaitAsync(() => Task.FromResult(log.Pending), n => n == 0, "the warm-up rows to be written");
    }

    public static object Rows(int count) => new { inputs = new { x = Enumerable.Repeat(1.0, count).ToArray(), color = Enumerable.Repeat("red", count).ToArray() } };

    /// <summary>Holds an exclusive lock on serving.logged_batches: every batch the writer starts waits, as if the database hung.</summary>
    public static async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> BlockWriterAsync(ServingFixture fixture)
    {
        var connection = await fixture.Database.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("LOCK TABLE serving.logged_batches IN ACCESS EXCLUSIVE MODE", transaction: transaction);
        return (connection, transaction);
    }

    public static Guid RequestId(HttpResponseMessage response) => Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());

    public static Task<long> LoggedAsync(ServingFixture fixture, IEnumerable<Guid> requestIds) =>
        fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE request_id = ANY(@ids)", new { ids = requestIds.ToArray() });
}

public sealed class When_the_database_refuses_a_logged_row(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task The_row_is_set_aside_with_its_reason_and_the_rows_around_it_are_written()
    {
        await InferenceLogScenario.ServeChampionAsync(fixture);
        var log = fixture.Host.Services.GetRequiredService<InferenceLog>();
        var requestId = Guid.NewGuid();
        string[] features = ["{\"x\": 1}", "{\"x\": 2}", "{\"color\": \"a\\u0000b\"}", "{\"color\": \"\\ud800\"}", "{\"x\": 5}", "{\"x\": 6}"];

        // Rows that get past the door only if a validation is missed: the writer must still not stop for them.
        Assert.True(await log.TryReserveAsync(features.Length, TimeSpan.Zero, CancellationToken.None));
        for (var i = 0; i < features.Length; i++)
            log.Enqueue(new InferenceRecord(requestId, i, ServingFixture.Model, 1, false, features[i], 0.5, 1, DateTimeOffset.UtcNow));
        var behind = await fixture.InvokeAsync(InferenceLogScenario.Rows(1));

        await Eventually.WaitAsync(() => InferenceLogScenario.LoggedAsync(fixture, [InferenceLogScenario.RequestId(behind)]), n => n == 1, "the request behind to be logged");
        var written = await fixture.Database.QueryAsync<int>("SELECT row_index FROM serving.inference_log WHERE request_id = @requestId ORDER BY row_index", new { requestId });
        Assert.Equal([0, 1, 4, 5], written);
        var rejects = await fixture.Database.QueryAsync<(int RowIndex, string SqlState, string Reason, string RowJson)>(
            "SELECT row_index, sqlstate, reason, row_json FROM serving.inference_log_rejects WHERE request_id = @requestId ORDER BY row_index", new { requestId });
        Assert.Equal([(2, "22P05"), (3, "22P02")], rejects.Select(r => (r.RowIndex, r.SqlState)));
        Assert.Contains("\\u0000", rejects[0].RowJson);
        Assert.Contains("Unicode", rejects[0].Reason);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("""
            SELECT count(*) FROM serving.inference_log l LEFT JOIN serving.logged_batches b ON b.batch_id = l.log_batch_id WHERE b.batch_id IS NULL
            """));
        await Eventually.WaitAsync(() => Task.FromResult(log.Pending), n => n == 0, "the queue to empty");
    }
}

public sealed class When_the_log_writer_cannot_keep_up(SmallLogServingFixture fixture) : IClassFixture<SmallLogServingFixture>
{
    [Fact]
    public async Task Readiness_degrades_then_requests_get_503_with_retry_after_and_every_answered_row_is_logged_once_it_recovers()
    {
        await InferenceLogScenario.ServeChampionAsync(fixture);
        var health = fixture.Host.Services.GetRequiredService<HealthCheckService>();
        var answered = new List<Guid>();

        var (connection, transaction) = await InferenceLogScenario.BlockWriterAsync(fixture);
        await using (connection)
        {
            var first = await fixture.InvokeAsync(InferenceLogScenario.Rows(1));
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            answered.Add(InferenceLogScenario.RequestId(first));

            var degraded = await Eventually.WaitAsync(() => health.CheckHealthAsync(c => c.Name == "inference-log"),
                r => r.Status == HealthStatus.Degraded, "readiness to degrade on lag");
            var data = degraded.Entries["inference-log"].Data;
            Assert.Equal(1, data["queue_length"]);
            Assert.Equal(100, data["queue_capacity"]);
            Assert.True((double)data["lag_seconds"] >= 0.3);
            Assert.Equal(HttpStatusCode.OK, (await fixture.Http.GetAsync("/health/ready")).StatusCode);

            HttpResponseMessage refused;
            while (true)
            {
                refused = await fixture.InvokeAsync(InferenceLogScenario.Rows(50));
                if (refused.StatusCode != HttpStatusCode.OK)
                    break;
                answered.Add(InferenceLogScenario.RequestId(refused));
                Assert.True(answered.Count < 10, "the log never filled");
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter is not null, "no Retry-After");
            var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("TEMPORARILY_UNAVAILABLE", error.GetProperty("error_code").GetString());
            Assert.Contains("inference log is full", error.GetProperty("message").GetString());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fixture.Http.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(c => c.Name == "inference-log")).Status);

            await transaction.RollbackAsync();
        }

        await Eventually.WaitAsync(() => fixture.Http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, "readiness to recover");
        var expected = 1 + 50 * (answered.Count - 1);
        await Eventually.WaitAsync(() => InferenceLogScenario.LoggedAsync(fixture, answered), n => n == expected, $"{expected} answered rows to be logged");
        Assert.Equal(HttpStatusCode.OK, (await fixture.InvokeAsync(InferenceLogScenario.Rows(50))).StatusCode);
    }
}

public sealed class When_serving_stops_while_the_database_is_unreachable(SmallLogServingFixture fixture) : IClassFixture<SmallLogServingFixture>
{
    [Fact]
    public async Task It_exits_within_the_drain_timeout_spilling_the_rows_which_the_next_start_writes_exactly_once()
    {
        await InferenceLogScenario.ServeChampionAsync(fixture);
        var answered = new List<Guid>();

        var (connection, transaction) = await InferenceLogScenario.BlockWriterAsync(fixture);
        string spilled;
        byte[] spilledContent;
        await using (connection)
        {
            for (var i = 0; i < 3; i++)
                answered.Add(InferenceLogScenario.RequestId(await fixture.InvokeAsync(InferenceLogScenario.Rows(2))));

            var stopping = Stopwatch.StartNew();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                await fixture.Host.StopAsync(timeout.Token);
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {stopping.Elapsed}");

            spilled = Assert.Single(Directory.GetFiles(fixture.SpillDirectory, "*.spill.json"));
            spilledContent = await File.ReadAllBytesAsync(spilled);
            await transaction.RollbackAsync();
        }
        await fixture.Host.DisposeAsync();
        Assert.Equal(0, await InferenceLogScenario.LoggedAsync(fixture, answered));

        fixture.Host = await fixture.StartHostAsync();
        await Eventually.WaitAsync(() => InferenceLogScenario.LoggedAsync(fixture, answered), n => n == 6, "the spilled rows to be replayed");
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(spilled)), gone => !gone, "the spill file to be removed");

        // The same file again, as if the replay's commit had not been acknowledged: nothing is written twice.
        await fixture.Host.StopQuietlyAsync();
        await File.WriteAllBytesAsync(spilled, spilledContent);
        fixture.Host = await fixture.StartHostAsync();
        await Eventually.WaitAsync(() => Task.FromResult(File.Exists(spilled)), gone => !gone, "the copy to be replayed");
        Assert.Equal(6, await InferenceLogScenario.LoggedAsync(fixture, answered));
    }
}

public sealed class When_the_database_is_unreachable_for_a_while(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task Rows_wait_and_are_written_once_it_is_back_and_none_is_treated_as_poison()
    {
        await InferenceLogScenario.ServeChampionAsync(fixture);
        var answered = new List<Guid>();

        await using (var admin = new NpgsqlConnection(TestInfrastructure.PostgresAdminConnectionString))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"ALTER DATABASE \"{fixture.Database.Name}\" WITH ALLOW_CONNECTIONS false");
            try
            {
                await admin.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name", new { name = fixture.Database.Name });
                for (var i = 0; i < 5; i++)
                {
                    var response = await fixture.InvokeAsync(InferenceLogScenario.Rows(3));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    answered.Add(InferenceLogScenario.RequestId(response));
                }
                var log = fixture.Host.Services.GetRequiredService<InferenceLog>();
                await Eventually.WaitAsync(() => Task.FromResult(log.Lag), lag => lag > TimeSpan.FromSeconds(1), "the writer to be held up");
                Assert.Equal(15, log.Pending);
            }
            finally
            {
                await admin.ExecuteAsync($"ALTER DATABASE \"{fixture.Database.Name}\" WITH ALLOW_CONNECTIONS true");
            }
        }

        fixture.Database.DataSource.Clear();
        await Eventually.WaitAsync(() => InferenceLogScenario.LoggedAsync(fixture, answered), n => n == 15, "the held-up rows to be written");
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log_rejects"));
    }
}
