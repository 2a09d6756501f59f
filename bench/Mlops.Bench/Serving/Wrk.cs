using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mlops.Bench.Serving;

/// <summary>Runs wrk (--latency) with a POST script and reads requests/s, p50/p99 and non-2xx answers from its report.</summary>
public static partial class Wrk
{
    public sealed record Report(double RequestsPerSecond, double P50Milliseconds, double P99Milliseconds, double Non2xx);

    public static string? Find() =>
        new[] { "/usr/bin/wrk", "/usr/local/bin/wrk" }.FirstOrDefault(File.Exists);

    public static async Task<Report> RunAsync(string wrk, string script, Uri url, int connections, int seconds)
    {
        var start = new ProcessStartInfo(wrk, ["-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url.ToString()])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var rps = RequestsPerSecond().Match(output);
        if (process.ExitCode != 0 || !rps.Success)
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}):\n{output}");
        var non2xx = Non2xx().Match(output);
        return new Report(
            double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(output, "50"),
            Percentile(output, "99"),
            non2xx.Success ? double.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    private static double Percentile(string output, string percent)
    {
        var match = Regex.Match(output, $@"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
            return double.NaN;
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();
}
