using System.Diagnostics;

namespace Mlops.Api.Tests;

/// <summary>Runs the built mlops.dll as an operator would: a process of its own, settings only from its environment.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>Where the CLI was built: the same configuration as this test assembly (Release or Debug).</summary>
    private static string Directory
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "Mlops.sln")))
                    return Path.Combine(directory.FullName, "services", "Mlops.Cli", "bin", configuration, "net10.0");
            throw new InvalidOperationException($"No Mlops.sln above {AppContext.BaseDirectory}");
        }
    }

    public static async Task<Result> RunAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("mlops.dll");
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MLOPS_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        // No operator's config file: only what the test gives.
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "mlops-cli-test-" + Guid.NewGuid().ToString("N"));
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
