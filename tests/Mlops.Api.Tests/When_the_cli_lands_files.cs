using System.Text.Json;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// `mlops raw-table register` and `mlops land` as a separate process against a real API: a schema from a JSON file, then CSV
/// and JSON-lines files landed as batches; a refused file or a missing right is one clear line naming the problem.
/// </summary>
public sealed class When_the_cli_lands_files(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private Task<CliProcess.Result> CliAsync(string token, params string[] args) =>
        CliProcess.RunAsync(new Dictionary<string, string?> { ["MLOPS_API_URL"] = fixture.Address.ToString(), ["MLOPS_TOKEN"] = token }, args);

    [Fact]
    public async Task A_schema_is_registered_from_a_file_and_csv_and_json_lines_land_once_each()
    {
        var directory = Directory.CreateTempSubdirectory("mlops-land-");
        var schema = Path.Combine(directory.FullName, "visits.schema.json");
        await File.WriteAllTextAsync(schema, """
            {"name": "raw.cli_visits", "columns": [{"name": "visit_id", "type": "bigint"}, {"name": "page", "type": "text", "required": true},
             {"name": "visited_at", "type": "timestamptz"}, {"name": "seconds", "type": "double precision"}], "key": ["visit_id"], "eventTime": "visited_at"}
            """);
        var csv = Path.Combine(directory.FullName, "visits.csv");
        await File.WriteAllTextAsync(csv, "visit_id,page,visited_at,seconds\n1,/home,2024-05-01T10:00:00Z,12.5\n2,/cart,2024-05-01T10:01:00Z,\n");
        var jsonl = Path.Combine(directory.FullName, "visits.jsonl");
        await File.WriteAllTextAsync(jsonl, """{"visit_id": 3, "page": "/pay", "visited_at": "2024-05-01T10:02:00Z", "seconds": 3}""" + "\n");
        var batchId = Guid.NewGuid();

        var registered = await CliAsync(fixture.AdminToken, "raw-table", "register", "--file", schema);
        var again = await CliAsync(fixture.AdminToken, "raw-table", "register", "--file", schema);
        var landedCsv = await CliAsync(fixture.AdminToken, "land", "--table", "raw.cli_visits", "--file", csv, "--batch-id", batchId.ToString());
        var retried = await CliAsync(fixture.AdminToken, "land", "--table", "raw.cli_visits", "--file", csv, "--batch-id", batchId.ToString());
        var landedJsonl = await CliAsync(fixture.AdminToken, "land", "--table", "raw.cli_visits", "--file", jsonl, "--environment", "staging", "--json");
        var shown = await CliAsync(fixture.AdminToken, "raw-table", "show", "raw.cli_visits", "--json");

        Assert.True(registered.ExitCode == 0, registered.Error);
        Assert.Contains("Registered raw.cli_visits.", registered.Output);
        Assert.Contains("already registered with this schema", again.Output);
        Assert.True(landedCsv.ExitCode == 0, landedCsv.Error);
        Assert.Contains($"Landed batch {batchId}: 2 rows into raw.cli_visits (dev).", landedCsv.Output);
        Assert.Contains($"Batch {batchId} had already landed", retried.Output);
        Assert.True(landedJsonl.ExitCode == 0, landedJsonl.Error);
        var jsonBatch = JsonDocument.Parse(landedJsonl.Output).RootElement;
        Assert.Equal(("staging", 1L), (jsonBatch.GetProperty("environment").GetString(), jsonBatch.GetProperty("rowCount").GetInt64()));
        Assert.Equal("visited_at", JsonDocument.Parse(shown.Output).RootElement.GetProperty("eventTime").GetString());
        Assert.Equal(3L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.cli_visits"));
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.batches WHERE source_table = 'raw.cli_visits'"));
    }

    [Fact]
    public async Task A_refused_file_or_a_missing_right_is_one_line_naming_each_problem()
    {
        var directory = Directory.CreateTempSubdirectory("mlops-land-");
        var schema = Path.Combine(directory.FullName, "scores.json");
        await File.WriteAllTextAsync(schema, """{"name": "cli_scores", "columns": [{"name": "id", "type": "integer"}, {"name": "score", "type": "double precision"}], "key": ["id"]}""");
        var bad = Path.Combine(directory.FullName, "scores.csv");
        await File.WriteAllTextAsync(bad, "id,score\n1,0.5\n2,NaN\nx,1\n");
        var good = Path.Combine(directory.FullName, "good.csv");
        await File.WriteAllTextAsync(good, "id,score\n1,0.5\n");
        var scientist = "cli-ds-" + Guid.NewGuid().ToString("N")[..6];
        (await fixture.PrincipalAsync(scientist, "data_scientist")).Dispose();
        var token = await fixture.TokenAsync(scientist);
        Assert.Equal(0, (await CliAsync(fixture.AdminToken, "raw-table", "register", "--file", schema)).ExitCode);

        var refused = await CliAsync(fixture.AdminToken, "land", "--table", "raw.cli_scores", "--file", bad);
        var forbidden = await CliAsync(token, "land", "--table", "raw.cli_scores", "--file", good, "--environment", "prod");
        var unknownFormat = await CliAsync(fixture.AdminToken, "land", "--table", "raw.cli_scores", "--file", schema);

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(
            "mlops: The file was refused: 2 problem(s) (422): line 3, column score: 'NaN' is refused: NaN and infinities are not landed in double precision.; " +
            "line 4, column id: 'x' is not a whole number (integer).",
            refused.Error.Trim());
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Contains("forbidden (403)", forbidden.Error);
        Assert.Contains("catalog.write", forbidden.Error);
        Assert.Equal(1, unknownFormat.ExitCode);
        Assert.Contains("say --format csv or --format jsonl", unknownFormat.Error);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.cli_scores"));
    }
}
