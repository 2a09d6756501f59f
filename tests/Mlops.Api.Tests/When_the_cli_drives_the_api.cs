using System.Globalization;
using System.Text.Json;
using Mlops.Catalog.Registry;
using Mlops.Testing;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// The mlops command line end to end: a process of its own talking to a real API (Kestrel, real broker and database) with a
/// token from its environment or config file. Errors are one "mlops: ..." line on stderr with exit code 1; --json parses.
/// </summary>
public sealed class When_the_cli_drives_the_api(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private Dictionary<string, string?> As(string? token) => new() { ["MLOPS_API_URL"] = fixture.Address.ToString(), ["MLOPS_TOKEN"] = token };

    private Task<CliProcess.Result> CliAsync(string? token, params string[] args) => CliProcess.RunAsync(As(token), args);

    [Fact]
    public async Task A_missing_or_wrong_token_or_an_unreachable_api_is_one_clear_line()
    {
        var missing = await CliAsync(null, "runs", "list");
        var wrong = await CliAsync("mlops_not-a-real-token", "runs", "list");
        var unreachable = await CliProcess.RunAsync(new Dictionary<string, string?> { ["MLOPS_API_URL"] = "http://127.0.0.1:9", ["MLOPS_TOKEN"] = fixture.AdminToken },
            "runs", "list");

        AssertOneLine(missing, "no API token", "MLOPS_TOKEN");
        AssertOneLine(wrong, "401");
        AssertOneLine(unreachable, "cannot reach the API", "connection refused");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_token_comes_from_a_config_file_only_its_owner_can_read()
    {
        var directory = Directory.CreateTempSubdirectory("mlops-config-");
        var path = Path.Combine(directory.FullName, "config.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new Dictionary<string, string> { ["api_url"] = fixture.Address.ToString(), ["token"] = fixture.AdminToken }));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var shared = await CliProcess.RunAsync(new Dictionary<string, string?> { ["MLOPS_CONFIG"] = path }, "principals", "list");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var own = await CliProcess.RunAsync(new Dictionary<string, string?> { ["MLOPS_CONFIG"] = path }, "principals", "list");

        AssertOneLine(shared, "accessible by others", "chmod 600");
        Assert.True(own.ExitCode == 0, own.Error);
        Assert.Contains("root", own.Output);
    }

    [Fact]
    public async Task Json_output_parses_and_is_the_apis_answer()
    {
        await fixture.RunAsync("dev.ml.jsoncli", "alice", "bob", state: "Training");

        var principals = await CliAsync(fixture.AdminToken, "principals", "list", "--json");
        var runs = await CliAsync(fixture.AdminToken, "runs", "list", "--model", "dev.ml.jsoncli", "--json");
        var refused = await CliAsync(fixture.AdminToken, "model", "show", "dev.ml.nosuch", "--json");

        Assert.True(principals.ExitCode == 0, principals.Error);
        Assert.Contains(JsonDocument.Parse(principals.Output).RootElement.EnumerateArray(), p => p.GetProperty("name").GetString() == "root");
        Assert.True(runs.ExitCode == 0, runs.Error);
        var run = Assert.Single(JsonDocument.Parse(runs.Output).RootElement.EnumerateArray());
        Assert.Equal("Training", run.GetProperty("state").GetString());
        AssertOneLine(refused, "dev.ml.nosuch", "404");
        Assert.Equal("", refused.Output);
    }

    [Fact]
    public async Task Promote_code_and_lineage_go_through_the_api()
    {
        await fixture.PrincipalAsync("cli-promoter", "ml_engineer");
        var token = await fixture.TokenAsync("cli-promoter");
        await fixture.RunAsync("dev.ml.clipromo", "alice", "bob", state: "Completed", codeVersion: "c-cli");

        var refused = await CliAsync(token, "promote-code", "--model", "dev.ml.clipromo", "--code-version", "c-cli", "--to", "prod");
        var promoted = await CliAsync(token, "promote-code", "--model", "dev.ml.clipromo", "--code-version", "c-cli", "--to", "staging", "--json");
        var missingBatch = await CliAsync(fixture.AdminToken, "lineage", "batch", Guid.NewGuid().ToString());

        AssertOneLine(refused, "409", "never completed the pipeline in staging");
        Assert.True(promoted.ExitCode == 0, promoted.Error);
        Assert.True(JsonDocument.Parse(promoted.Output).RootElement.TryGetProperty("messageId", out _), promoted.Output);
        var released = Assert.Single(await fixture.OutboxMessagesAsync("TrainingCodeReleased"), m => m.GetProperty("modelName").GetString() == "staging.ml.clipromo");
        Assert.Equal(("cli-promoter", "c-cli"), (released.GetProperty("principal").GetString(), released.GetProperty("codeVersion").GetString()));
        AssertOneLine(missingBatch, "404");
    }

    [Fact]
    public async Task Model_archive_and_restore_go_through_the_api()
    {
        const string model = "dev.ml.cliarchive";
        var version = await fixture.RegisterVersionAsync(model);
        var champion = await fixture.RegisterVersionAsync(model);
        await fixture.SetAliasAsync(model, ModelAliases.Champion, champion);
        await fixture.PrincipalAsync("cli-archiver", "devops_engineer");
        var token = await fixture.TokenAsync("cli-archiver");
        var v = version.ToString(CultureInfo.InvariantCulture);

        var refused = await CliAsync(token, "model", "archive", model, champion.ToString(CultureInfo.InvariantCulture), "--reason", "oops");
        var archived = await CliAsync(token, "model", "archive", model, v, "--reason", "stale features", "--json");
        var restored = await CliAsync(token, "model", "restore", model, v);

        AssertOneLine(refused, "409", "champion");
        Assert.True(archived.ExitCode == 0, archived.Error);
        var change = JsonDocument.Parse(archived.Output).RootElement;
        Assert.Equal(("archived", "cli-archiver", "stale features"),
            (change.GetProperty("toStatus").GetString(), change.GetProperty("changedBy").GetString(), change.GetProperty("reason").GetString()));
        Assert.True(restored.ExitCode == 0, restored.Error);
        Assert.Contains("archived -> ready", restored.Output);
        Assert.Equal("ready", await fixture.Database.ScalarAsync<string>(
            "SELECT status FROM registry.model_versions WHERE model_name = @model AND version = @version", new { model, version }));
    }

    [Fact]
    public async Task Features_register_sends_the_yaml_file_and_a_refusal_is_one_line_naming_the_reason()
    {
        var churn = Path.Combine(BuiltServices.RepositoryRoot, "examples", "features", "churn.yaml");
        var bad = Path.Combine(Directory.CreateTempSubdirectory("mlops-features-").FullName, "bad.yaml");
        await File.WriteAllTextAsync(bad, "name: cli_bad\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: 'pg_sleep(1)'}\n");

        var registered = await CliAsync(fixture.AdminToken, "features", "register", "--file", churn);
        var again = await CliAsync(fixture.AdminToken, "features", "register", "--file", churn);
        var refused = await CliAsync(fixture.AdminToken, "features", "register", "--file", bad);

        Assert.True(registered.ExitCode == 0, registered.Error);
        Assert.Contains("Registered churn_features definition version 1 from raw.churn_customers", registered.Output);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("churn_features definition version 1 is already this definition", again.Output);
        AssertOneLine(refused, "422", "function 'pg_sleep' is not allowed");
    }

    [Fact]
    public async Task A_refusal_names_the_missing_permission()
    {
        await fixture.PrincipalAsync("cli-scientist", "data_scientist");
        var token = await fixture.TokenAsync("cli-scientist");

        var refused = await CliAsync(token, "release-code", "--model", "prod.ml.churn", "--code-version", "abc123");
        var allowed = await CliAsync(token, "release-code", "--model", "dev.ml.churn", "--code-version", "abc123", "--param", "l2=0.5");

        AssertOneLine(refused, "403", "models.write", "prod");
        Assert.True(allowed.ExitCode == 0, allowed.Error);
        var message = (await fixture.OutboxMessagesAsync("TrainingCodeReleased")).Last();
        Assert.Equal("cli-scientist", message.GetProperty("principal").GetString());
        Assert.Equal("0.5", message.GetProperty("parameters").GetProperty("l2").GetString());
    }

    [Fact]
    public async Task Land_data_and_request_run_go_through_the_api_under_the_tokens_principal()
    {
        var land = await CliAsync(fixture.AdminToken, "land-data", "--rows", "40", "--json");
        var request = await CliAsync(fixture.AdminToken, "request-run", "--model", "dev.ml.churn", "--reason", "cli test");
        var negative = await CliAsync(fixture.AdminToken, "land-data", "--rows", "-5");
        var nowhere = await CliAsync(fixture.AdminToken, "land-data", "--rows", "10", "--environment", "nowhere");

        Assert.True(land.ExitCode == 0, land.Error);
        var batch = JsonDocument.Parse(land.Output).RootElement.GetProperty("batchId").GetGuid();
        Assert.Equal(40, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.churn_customers WHERE batch_id = @batch", new { batch }));
        Assert.True(request.ExitCode == 0, request.Error);
        Assert.Equal("root", (await fixture.OutboxMessagesAsync("PipelineRequested")).Last().GetProperty("principal").GetString());
        AssertOneLine(negative, "--rows", "-5");
        AssertOneLine(nowhere, "nowhere", "environment");
    }

    [Fact]
    public async Task Principals_and_tokens_are_managed_and_a_revoked_token_stops_working()
    {
        var created = await CliAsync(fixture.AdminToken, "principals", "create", "cli-ops", "--role", "devops_engineer", "--json");
        var issued = await CliAsync(fixture.AdminToken, "tokens", "issue", "--principal", "cli-ops", "--description", "laptop");
        var token = issued.Output.Trim();
        var works = await CliAsync(token, "runs", "list", "--environment", "prod");
        var tokens = await CliAsync(fixture.AdminToken, "tokens", "list", "--principal", "cli-ops", "--json");
        var id = JsonDocument.Parse(tokens.Output).RootElement.EnumerateArray().Single().GetProperty("id").GetString()!;
        var revoked = await CliAsync(fixture.AdminToken, "tokens", "revoke", "--principal", "cli-ops", id);
        var stopped = await CliAsync(token, "runs", "list", "--environment", "prod");

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal(["devops_engineer"], JsonDocument.Parse(created.Output).RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("mlops_", token);
        Assert.True(works.ExitCode == 0, works.Error);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        AssertOneLine(stopped, "401", "revoked");
    }

    [Fact]
    public async Task Audit_verify_names_the_first_tampered_entry_and_the_report_comes_as_csv()
    {
        var from = DateTimeOffset.UtcNow.AddHours(-1).ToString("O");
        var to = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        await CliAsync(fixture.AdminToken, "request-run", "--model", "dev.ml.audited", "--reason", "something to audit");
        var intact = await CliAsync(fixture.AdminToken, "audit", "verify");
        var report = await CliAsync(fixture.AdminToken, "audit", "report", "--from", from, "--to", to, "--format", "csv");
        var entries = await CliAsync(fixture.AdminToken, "audit", "entries", "--action", "run.request", "--model", "dev.ml.audited", "--json");

        var original = await fixture.Database.ScalarAsync<string>("SELECT principal FROM audit.entries WHERE seq = 2");
        await fixture.TamperAsync("UPDATE audit.entries SET principal = 'mallory' WHERE seq = 2");
        var broken = await CliAsync(fixture.AdminToken, "audit", "verify");
        var brokenJson = await CliAsync(fixture.AdminToken, "audit", "verify", "--json");
        await fixture.TamperAsync("UPDATE audit.entries SET principal = @original WHERE seq = 2", new { original });

        Assert.True(intact.ExitCode == 0, intact.Error);
        Assert.Contains("intact", intact.Output);
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.StartsWith("seq,at,principal,action", report.Output);
        Assert.Contains("run.request", report.Output);
        Assert.Equal("root", Assert.Single(JsonDocument.Parse(entries.Output).RootElement.EnumerateArray()).GetProperty("principal").GetString());
        AssertOneLine(broken, "entry 2", "edited");
        Assert.Equal(1, brokenJson.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(brokenJson.Output).RootElement.GetProperty("firstBadSeq").GetInt64());
    }

    [Fact]
    public async Task Dead_letters_are_listed_and_replayed_through_the_api()
    {
        var messageId = Guid.NewGuid();
        var id = await new Mlops.Hosting.DeadLetters.DeadLetterStore(fixture.Database.DataSource).AddAsync(new Mlops.Hosting.DeadLetters.DeadLetter
        {
            Queue = "score-batch", MessageId = messageId, MessageType = "urn:message:Mlops.Contracts:Ping", Reason = "it broke", Headers = "{}",
            Body = "{\"message\":{}}", Service = "serving", ContentType = "application/vnd.masstransit+json",
        }, CancellationToken.None);

        var list = await CliAsync(fixture.AdminToken, "errors", "list", "--queue", "score-batch", "--json");
        var show = await CliAsync(fixture.AdminToken, "errors", "show", id.ToString());
        var replay = await CliAsync(fixture.AdminToken, "errors", "replay", id.ToString());
        var again = await CliAsync(fixture.AdminToken, "errors", "replay", id.ToString());

        Assert.Equal(id, Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Contains("it broke", show.Output);
        Assert.True(replay.ExitCode == 0, replay.Error);
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'serving' AND message_id = @messageId", new { messageId }));
        AssertOneLine(again, "already replayed", "409");
    }

    [Fact]
    public async Task Decisions_keep_separation_of_duties_and_a_finished_run_is_followed_to_its_outcome()
    {
        await fixture.PrincipalAsync("cli-requester", "ml_engineer");
        var requester = await fixture.TokenAsync("cli-requester");
        var pending = await fixture.RunAsync("dev.ml.decided", "cli-requester", "someone-else");
        var model = "dev.ml.rollcli";
        await fixture.RegisterVersionAsync(model);
        await fixture.SetAliasAsync(model, "champion", await fixture.RegisterVersionAsync(model));

        var own = await CliAsync(requester, "approve", "--run", pending.ToString());
        var denied = await CliAsync(fixture.AdminToken, "deny", "--run", pending.ToString(), "--reason", "not this week");
        var neverChampion = await CliAsync(fixture.AdminToken, "rollback", "--model", model, "--to", "1", "--reason", "typo");
        await fixture.Database.ExecuteAsync("UPDATE pipeline.deploy_code_pipeline_runs SET data = jsonb_set(data, '{finishedAt}', to_jsonb(now())) WHERE correlation_id = @pending",
            new { pending });
        var followed = await CliAsync(fixture.AdminToken, "runs", "show", pending.ToString(), "--follow");

        AssertOneLine(own, "403", "separation_of_duties");
        Assert.True(denied.ExitCode == 0, denied.Error);
        Assert.Equal("not this week", (await fixture.OutboxMessagesAsync("PromotionDenied")).Last().GetProperty("reason").GetString());
        AssertOneLine(neverChampion, "never champion", "--override");
        Assert.Equal(0, await fixture.OutboxCountAsync("RollbackModel"));
        Assert.True(followed.ExitCode == 0, followed.Error);
        Assert.Contains("started", followed.Output);
    }

    [Fact]
    public async Task Bootstrap_admin_works_once_on_a_migrated_database()
    {
        var fresh = await TestDatabase.CreateAsync("mlops_cli");
        try
        {
            // Development, as the demo runs it: the host then validates its whole service graph when it is built.
            var database = new Dictionary<string, string?> { ["ConnectionStrings__Postgres"] = fresh.ConnectionString, ["DOTNET_ENVIRONMENT"] = "Development" };
            var migrate = await CliProcess.RunAsync(database, "migrate");
            var first = await CliProcess.RunAsync(database, "bootstrap-admin", "--name", "first");
            var second = await CliProcess.RunAsync(database, "bootstrap-admin", "--name", "second");

            Assert.True(migrate.ExitCode == 0, migrate.Error);
            Assert.Superset(new HashSet<string> { "messaging", "registry", "raw", "serving", "monitoring", "pipeline", "identity", "audit" },
                (await fresh.QueryAsync<string>("SELECT DISTINCT module FROM migrations.history")).ToHashSet());
            Assert.True(first.ExitCode == 0, first.Error);
            var token = first.Output.Trim();
            Assert.StartsWith("mlops_", token);
            Assert.Equal(1, await fresh.ScalarAsync<long>("""
                SELECT count(*) FROM identity.tokens t JOIN identity.principals p ON p.id = t.principal_id
                WHERE p.name = 'first' AND t.token_hash = sha256(convert_to(@token, 'UTF8'))
                """, new { token }));
            AssertOneLine(second, "an admin already exists");
            Assert.Equal(0, await fresh.ScalarAsync<long>("SELECT count(*) FROM identity.principals WHERE name = 'second'"));
            Assert.Equal(1, await fresh.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'identity.bootstrap'"));
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    private static void AssertOneLine(CliProcess.Result result, params string[] naming)
    {
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Output} {result.Error}");
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mlops: ", line);
        foreach (var name in naming)
            Assert.Contains(name, line, StringComparison.OrdinalIgnoreCase);
    }
}
