using System.Diagnostics;
using System.Text.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.BatchScoring.Tests;

public sealed class When_the_cli_scores_a_batch(BatchScoringFixture platform) : IClassFixture<BatchScoringFixture>
{
    [Fact]
    public async Task A_keys_file_is_scored_and_followed_to_the_end()
    {
        var ids = platform.DevFrame.EntityIds;
        var keys = await KeysFileAsync($"# accounts to score\n{ids[3]}\n\n{ids[10]}\n{ids[77]}\n{ids[3] + 1}\n");

        var (exit, output, error) = await MlopsAsync("score", "--model", BatchScoringFixture.Model, "--keys-file", keys, "--wait", "--json");

        Assert.True(exit == 0, error);
        var job = JsonDocument.Parse(output).RootElement;
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal(3, job.GetProperty("rowsScored").GetInt64());
        Assert.Contains((ids[3] + 1).ToString(), job.GetProperty("errors")[0].GetString());

        var shown = await MlopsAsync("score", "show", "--model", BatchScoringFixture.Model, job.GetProperty("jobId").GetString()!);
        Assert.Equal(0, shown.Exit);
        Assert.Contains("completed", shown.Output);
        Assert.Contains("rows scored 3", shown.Output);

        var listed = await MlopsAsync("score", "list", "--model", BatchScoringFixture.Model);
        Assert.Equal(0, listed.Exit);
        Assert.Contains(job.GetProperty("jobId").GetString()!, listed.Output);
    }

    [Fact]
    public async Task A_keys_file_with_a_line_that_is_no_key_is_refused_naming_the_line()
    {
        var keys = await KeysFileAsync("1003\nabc\n");

        var (exit, _, error) = await MlopsAsync("score", "--model", BatchScoringFixture.Model, "--keys-file", keys);

        Assert.Equal(1, exit);
        Assert.Contains("line 2: 'abc' is not an entity key", error);
    }

    [Fact]
    public async Task A_model_without_a_champion_is_refused_with_the_apis_reason()
    {
        var (exit, _, error) = await MlopsAsync("score", "--model", BatchScoringFixture.NoChampion);

        Assert.Equal(1, exit);
        Assert.Contains("has no champion to score with", error);
    }

    private static async Task<string> KeysFileAsync(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"mlops-keys-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    /// <summary>The built mlops.dll as an operator runs it, with only the API's address and a token from its environment.</summary>
    private async Task<(int Exit, string Output, string Error)> MlopsAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = BuiltServices.Directory("Cli"), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("mlops.dll");
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "mlops-cli-test-" + Guid.NewGuid().ToString("N"));
        start.Environment["MLOPS_API_URL"] = platform.ApiAddress.ToString();
        start.Environment["MLOPS_TOKEN"] = platform.AdminToken;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
