using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// Feature table time travel over real HTTP (RESTORE TABLE ... VERSION AS OF / TIMESTAMP AS OF): a restore is a new version
/// copying an earlier one's rows, so every older version still reads as it did; reads as of a version or a timestamp stay
/// in their environment; catalog.write restores, catalog.read reads, and both are audited.
/// </summary>
public sealed class When_a_feature_table_is_restored(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_restore_writes_a_new_version_with_the_old_rows_and_every_version_still_reads_as_before()
    {
        var table = await TableAsync("restore_by_version");
        var good = await VersionAsync(table, "prod", (1, 0.5), (2, 1.5), (3, 2.5));
        var bad = await VersionAsync(table, "prod", (1, 99), (2, 98));
        using var devops = await fixture.PrincipalAsync("restore-devops", "devops_engineer");

        var response = await devops.PostAsJsonAsync($"/api/features/{table}/restore",
            new { environment = "prod", version = good.Version, reason = "batch of 29 Nov was corrupt" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var restored = await response.Content.ReadFromJsonAsync<JsonElement>();
        var version = restored.GetProperty("version").GetInt32();
        Assert.True(version > bad.Version);
        Assert.Equal((good.Version, "batch of 29 Nov was corrupt", "restore-devops", "prod", 3L),
            (restored.GetProperty("restoredFrom").GetInt32(), restored.GetProperty("restoreReason").GetString(), restored.GetProperty("createdBy").GetString(),
             restored.GetProperty("environment").GetString(), restored.GetProperty("rowCount").GetInt64()));
        Assert.Equal([good.BatchId], restored.GetProperty("rawBatchIds").EnumerateArray().Select(b => b.GetGuid()));
        Assert.Equal(response.Headers.Location!.ToString(), $"/api/features/{table}/as-of?environment=prod&version={version}");

        Assert.Equal([(1L, 0.5), (2L, 1.5), (3L, 2.5)], await RowsAsync(devops, table, $"environment=prod&version={version}"));
        Assert.Equal([(1L, 0.5), (2L, 1.5), (3L, 2.5)], await RowsAsync(devops, table, $"environment=prod&version={good.Version}"));
        Assert.Equal([(1L, 99.0), (2L, 98.0)], await RowsAsync(devops, table, $"environment=prod&version={bad.Version}"));
        var history = await devops.GetFromJsonAsync<JsonElement>($"/api/features/{table}/versions?environment=prod");
        Assert.Equal([$"{version}<{good.Version}", $"{bad.Version}<", $"{good.Version}<"], history.EnumerateArray()
            .Select(v => $"{v.GetProperty("version").GetInt32()}<{(v.GetProperty("restoredFrom").ValueKind == JsonValueKind.Null ? "" : v.GetProperty("restoredFrom").GetInt32())}"));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("""
            SELECT count(*) FROM audit.entries WHERE principal = 'restore-devops' AND action = 'features.restore' AND outcome = 'succeeded'
              AND resource = @resource AND detail LIKE @detail
            """, new { resource = $"features:{table}@{version}", detail = $"prod: v{good.Version} (version as of {good.Version}): batch of 29 Nov was corrupt" }));
        var lineage = await devops.GetFromJsonAsync<JsonElement>($"/api/lineage/raw-batches/{good.BatchId}");
        Assert.Equal([good.Version, version], lineage.GetProperty("featureVersions").EnumerateArray()
            .Where(v => v.GetProperty("table").GetString() == table).Select(v => v.GetProperty("version").GetInt32()).Order());
        Assert.True(await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'restore-devops' AND action = 'features.read' AND resource = @resource",
            new { resource = $"features:{table}@{version}" }) >= 1);
    }

    [Fact]
    public async Task What_else_describes_or_belongs_to_a_version_is_copied_with_it()
    {
        // As a later migration might add them: a column describing each version, and rows kept per version (labels apart
        // from the feature rows), tied to it by a foreign key.
        await using (var owner = fixture.SessionAs("owner"))
        {
            await owner.BeginAsync();
            await Dapper.SqlMapper.ExecuteAsync(owner.Connection, """
                ALTER TABLE features.table_versions ADD COLUMN IF NOT EXISTS test_definition integer;
                CREATE TABLE IF NOT EXISTS features.test_version_labels (
                    table_name text NOT NULL, version integer NOT NULL, entity_id bigint NOT NULL, label double precision,
                    FOREIGN KEY (table_name, version) REFERENCES features.table_versions (table_name, version));
                """, transaction: owner.Transaction);
            await owner.CommitAsync();
        }
        var table = await TableAsync("restore_children");
        var good = await VersionAsync(table, "dev", (1, 1.0), (2, 2.0));
        await VersionAsync(table, "dev", (1, 3.0));
        await fixture.Database.ExecuteAsync("""
            UPDATE features.table_versions SET test_definition = 4 WHERE table_name = @table AND version = @version;
            INSERT INTO features.test_version_labels VALUES (@table, @version, 1, 0), (@table, @version, 2, 1);
            """, new { table, version = good.Version });

        var response = await fixture.Admin.PostAsJsonAsync($"/api/features/{table}/restore", new { environment = "dev", version = good.Version, reason = "labels too" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var version = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
        Assert.Equal(4, await fixture.Database.ScalarAsync<int>(
            "SELECT test_definition FROM features.table_versions WHERE table_name = @table AND version = @version", new { table, version }));
        Assert.Equal(["1:0", "2:1"], await fixture.Database.QueryAsync<string>(
            "SELECT entity_id || ':' || label FROM features.test_version_labels WHERE table_name = @table AND version = @version ORDER BY entity_id",
            new { table, version }));
    }

    [Fact]
    public async Task As_of_a_timestamp_is_the_newest_version_of_that_environment_created_at_or_before_it()
    {
        var table = await TableAsync("restore_as_of");
        var first = await VersionAsync(table, "staging", (1, 1.0));
        var second = await VersionAsync(table, "staging", (1, 2.0));
        var prodLater = await VersionAsync(table, "prod", (1, 3.0));
        using var engineer = await fixture.PrincipalAsync("as-of-reader", "ml_engineer");

        var atFirst = await AsOfAsync(engineer, table, "staging", first.CreatedAt);
        var justBeforeSecond = await AsOfAsync(engineer, table, "staging", second.CreatedAt.AddTicks(-10));
        var atSecond = await AsOfAsync(engineer, table, "staging", second.CreatedAt);
        var afterProd = await AsOfAsync(engineer, table, "staging", prodLater.CreatedAt.AddMinutes(1));
        var beforeAny = await engineer.GetAsync($"/api/features/{table}/as-of?environment=staging&timestamp={Uri.EscapeDataString(first.CreatedAt.AddSeconds(-1).ToString("O"))}");

        Assert.Equal(first.Version, atFirst.GetProperty("version").GetProperty("version").GetInt32());
        Assert.Equal(first.Version, justBeforeSecond.GetProperty("version").GetProperty("version").GetInt32());
        Assert.Equal(second.Version, atSecond.GetProperty("version").GetProperty("version").GetInt32());
        Assert.Equal(second.Version, afterProd.GetProperty("version").GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, beforeAny.StatusCode);
        Assert.Equal("timestamp", (await beforeAny.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_restore_as_of_a_timestamp_copies_the_version_current_then()
    {
        var table = await TableAsync("restore_by_time");
        var first = await VersionAsync(table, "dev", (7, 7.0), (8, 8.0));
        await VersionAsync(table, "dev", (7, 0.0));
        using var scientist = await fixture.PrincipalAsync("restore-scientist", "data_scientist");

        var response = await scientist.PostAsJsonAsync($"/api/features/{table}/restore",
            new { environment = "dev", timestamp = first.CreatedAt.AddMilliseconds(1), reason = "back to Monday" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var restored = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.Version, restored.GetProperty("restoredFrom").GetInt32());
        Assert.Equal([(7L, 7.0), (8L, 8.0)], await RowsAsync(scientist, table, $"environment=dev&version={restored.GetProperty("version").GetInt32()}"));
    }

    [Fact]
    public async Task Rows_come_in_pages_by_entity_id()
    {
        var table = await TableAsync("restore_pages");
        var version = await VersionAsync(table, "dev", (5, 5.0), (1, 1.0), (3, 3.0));

        var first = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/features/{table}/as-of?environment=dev&version={version.Version}&limit=2");
        var next = first.GetProperty("nextAfter").GetInt64();
        var last = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/features/{table}/as-of?environment=dev&version={version.Version}&limit=2&after={next}");

        // A version row carries its event time (docs/features.md) between the entity and the features.
        Assert.Equal(["customer_id", "event_time", "x", "churned"], first.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal([1L, 3L], first.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("customer_id").GetInt64()));
        Assert.Equal(3, next);
        Assert.Equal([5L], last.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("customer_id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("nextAfter").ValueKind);
    }

    [Fact]
    public async Task Restoring_needs_catalog_write_and_reading_catalog_read_in_the_environment()
    {
        var table = await TableAsync("restore_rights");
        var old = await VersionAsync(table, "prod", (1, 1.0));
        await VersionAsync(table, "prod", (1, 2.0));
        var dev = await VersionAsync(table, "dev", (1, 3.0));
        using var scientist = await fixture.PrincipalAsync("restore-prod-scientist", "data_scientist");
        using var consumer = await fixture.PrincipalAsync("restore-consumer", "model_consumer");

        var restore = await scientist.PostAsJsonAsync($"/api/features/{table}/restore", new { environment = "prod", version = old.Version, reason = "x" });
        var readDev = await consumer.GetAsync($"/api/features/{table}/as-of?environment=dev&version={dev.Version}");
        var readProd = await consumer.GetAsync($"/api/features/{table}/as-of?environment=prod&version={old.Version}");

        Assert.Equal(HttpStatusCode.Forbidden, restore.StatusCode);
        Assert.Equal("catalog.write", (await restore.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permission").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, readDev.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readProd.StatusCode);
        Assert.Equal(2, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.table_versions WHERE table_name = @table AND environment = 'prod'", new { table }));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'restore-prod-scientist' AND action = 'features.restore' AND outcome = 'denied'"));
    }

    [Fact]
    public async Task Bad_requests_and_impossible_restores_are_problem_details_and_write_nothing()
    {
        var table = await TableAsync("restore_refused");
        var staging = await VersionAsync(table, "staging", (1, 1.0));
        var prod = await VersionAsync(table, "prod", (1, 2.0));
        var before = await VersionCountAsync(table);

        async Task<(HttpStatusCode, string?)> RestoreAsync(object body, string name = "")
        {
            var response = await fixture.Admin.PostAsJsonAsync($"/api/features/{(name.Length > 0 ? name : table)}/restore", body);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return (response.StatusCode, problem.TryGetProperty("field", out var field) ? field.GetString() : null);
        }

        Assert.Equal((HttpStatusCode.BadRequest, "version"), await RestoreAsync(new { environment = "prod", reason = "x" }));
        Assert.Equal((HttpStatusCode.BadRequest, "version"),
            await RestoreAsync(new { environment = "prod", version = 1, timestamp = DateTimeOffset.UtcNow, reason = "x" }));
        Assert.Equal((HttpStatusCode.BadRequest, "version"), await RestoreAsync(new { environment = "prod", version = 0, reason = "x" }));
        Assert.Equal((HttpStatusCode.BadRequest, "environment"), await RestoreAsync(new { environment = "qa", version = 1, reason = "x" }));
        Assert.Equal((HttpStatusCode.BadRequest, "reason"), await RestoreAsync(new { environment = "prod", version = staging.Version, reason = " " }));
        Assert.Equal((HttpStatusCode.BadRequest, "reason"), await RestoreAsync(new { environment = "prod", version = staging.Version, reason = "a\0b" }));
        Assert.Equal((HttpStatusCode.BadRequest, "table"), await RestoreAsync(new { environment = "prod", version = 1, reason = "x" }, "Bad-Name"));
        Assert.Equal(HttpStatusCode.BadRequest, (await RestoreAsync(new { environment = "prod", version = 1, reason = "x", surprise = true })).Item1);
        Assert.Equal((HttpStatusCode.NotFound, "table"), await RestoreAsync(new { environment = "prod", version = 1, reason = "x" }, "no_such_table"));
        Assert.Equal((HttpStatusCode.NotFound, "version"), await RestoreAsync(new { environment = "prod", version = 999, reason = "x" }));
        Assert.Equal((HttpStatusCode.Conflict, "version"), await RestoreAsync(new { environment = "prod", version = staging.Version, reason = "x" }));
        Assert.Equal((HttpStatusCode.Conflict, "version"), await RestoreAsync(new { environment = "prod", version = prod.Version, reason = "x" }));
        Assert.Equal((HttpStatusCode.NotFound, "version"),
            (await fixture.Admin.GetAsync($"/api/features/{table}/as-of?environment=prod&version={staging.Version}")) is var wrongEnv
                ? (wrongEnv.StatusCode, (await wrongEnv.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString())
                : default);
        Assert.Equal(before, await VersionCountAsync(table));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("""
            SELECT count(*) FROM audit.entries WHERE principal = 'root' AND action = 'features.restore' AND outcome = 'failed' AND detail LIKE '%belongs to staging, not to prod%'
            """));
    }

    [Fact]
    public async Task The_cli_restores_and_shows_a_version_as_of_a_number_or_a_timestamp()
    {
        var table = await TableAsync("restore_cli");
        var good = await VersionAsync(table, "staging", (1, 0.25), (2, 0.75));
        await VersionAsync(table, "staging", (1, -1.0));
        var env = new Dictionary<string, string?> { ["MLOPS_API_URL"] = fixture.Address.ToString(), ["MLOPS_TOKEN"] = fixture.AdminToken };

        var restored = await CliProcess.RunAsync(env, "features", "restore", table, "--version", good.Version.ToString(), "--environment", "staging",
            "--reason", "rolled back by the cli", "--json");
        var version = restored.ExitCode == 0 ? JsonDocument.Parse(restored.Output).RootElement.GetProperty("version").GetInt32() : -1;
        var shown = await CliProcess.RunAsync(env, "features", "show", table, "--environment", "staging", "--as-of", version.ToString());
        var asOfTime = await CliProcess.RunAsync(env, "features", "show", table, "--environment", "staging", "--as-of", good.CreatedAt.ToString("O"));
        var listed = await CliProcess.RunAsync(env, "features", "show", table, "--environment", "staging");
        var neither = await CliProcess.RunAsync(env, "features", "restore", table, "--environment", "staging", "--reason", "x");

        Assert.True(restored.ExitCode == 0, restored.Error);
        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Contains($"{table} v{version} in staging: 2 rows", shown.Output);
        Assert.Contains($"restored from v{good.Version}: rolled back by the cli", shown.Output);
        Assert.Matches(@"(?m)^1\t[^\t]+\t0\.25\b", shown.Output);
        Assert.Matches(@"(?m)^2\t[^\t]+\t0\.75\b", shown.Output);
        Assert.True(asOfTime.ExitCode == 0, asOfTime.Error);
        Assert.Contains($"{table} v{good.Version} in staging", asOfTime.Output);
        Assert.Contains($"restored from v{good.Version}", listed.Output);
        Assert.Equal(1, neither.ExitCode);
        Assert.Contains("exactly one of --version and --timestamp", neither.Error);
    }

    private static readonly FeatureColumn[] Columns = [new("x", FeatureType.Numeric)];

    private sealed record Written(int Version, Guid BatchId, DateTimeOffset CreatedAt);

    private async Task<string> TableAsync(string name)
    {
        await using var session = fixture.SessionAs("feature-refresh");
        await session.BeginAsync();
        await Store.EnsureTableAsync(session, Definition(name));
        await session.CommitAsync();
        return name;
    }

    /// <summary>A version as a refresh in <paramref name="environment"/> writes it (as the feature refresh service's role), from a batch of its own.</summary>
    private async Task<Written> VersionAsync(string table, string environment, params (long Id, double X)[] rows)
    {
        var batchId = Guid.CreateVersion7();
        await using (var owner = fixture.SessionAs("owner"))
        {
            await owner.BeginAsync();
            await fixture.Host.Services.GetRequiredService<RawBatches>().RegisterAsync(owner,
                new RawBatch(batchId, "raw.churn_customers", rows.Length, "upstream", null, default, environment));
            await owner.CommitAsync();
        }
        await using var session = fixture.SessionAs("feature-refresh");
        await session.BeginAsync();
        var definition = Definition(table);
        var frame = new FeatureFrame(definition.Columns, rows.Select(r => r.Id).ToArray(), new Dictionary<string, double[]> { ["x"] = rows.Select(r => r.X).ToArray() },
            new Dictionary<string, string?[]>(), rows.Select(_ => 0.0).ToArray());
        var version = await Store.WriteVersionAsync(session, definition, frame, [batchId], null, [], "refresh", environment);
        await session.CommitAsync();
        var createdAt = await fixture.Database.ScalarAsync<DateTime>(
            "SELECT created_at FROM features.table_versions WHERE table_name = @table AND version = @version", new { table, version });
        return new Written(version, batchId, new DateTimeOffset(DateTime.SpecifyKind(createdAt, DateTimeKind.Utc)));
    }

    private FeatureStore Store => fixture.Host.Services.GetRequiredService<FeatureStore>();

    private static FeatureTableDefinition Definition(string name) => new()
    {
        Name = name, EntityColumn = "customer_id", Columns = Columns, LabelColumn = "churned", SourceTable = "raw.churn_customers",
    };

    private Task<long> VersionCountAsync(string table) =>
        fixture.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions WHERE table_name = @table", new { table });

    private static async Task<JsonElement> AsOfAsync(HttpClient client, string table, string environment, DateTimeOffset at) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/features/{table}/as-of?environment={environment}&timestamp={Uri.EscapeDataString(at.ToString("O"))}");

    private static async Task<IReadOnlyList<(long, double)>> RowsAsync(HttpClient client, string table, string query)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/api/features/{table}/as-of?{query}");
        return page.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("customer_id").GetInt64(), r.GetProperty("x").GetDouble())).ToList();
    }
}
