using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Mlops.Testing;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// The Aspire dashboard standalone (restored from NuGet with this project, as deploy/dashboard.sh does), as a process of its
/// own on free loopback ports: OTLP over gRPC in, its telemetry HTTP API out.
/// </summary>
public sealed class AspireDashboard : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _api;

    private AspireDashboard(Process process, Uri address, Uri otlp)
    {
        _process = process;
        Address = address;
        OtlpEndpoint = otlp;
        _api = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }

    public Uri OtlpEndpoint { get; }

    public static async Task<AspireDashboard> StartAsync(string logDirectory)
    {
        var executable = typeof(AspireDashboard).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "AspireDashboard").Value!;
        if (!File.Exists(executable))
            throw new FileNotFoundException($"The Aspire dashboard is not restored at {executable}: restore tests/Mlops.EndToEnd.Tests (or run deploy/dashboard.sh path).");
        // The package is linux-x64's; an extraction that lost the executable bit gets it back.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(executable).HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(executable, File.GetUnixFileMode(executable) | UnixFileMode.UserExecute);
        var address = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var otlp = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Directory.CreateDirectory(logDirectory).FullName, UseShellExecute = false,
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = otlp.ToString().TrimEnd('/');
        start.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        start.Environment["ASPIRE_DASHBOARD_API_ENABLED"] = "true";
        start.Environment["Dashboard__Api__AuthMode"] = "Unsecured";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The Aspire dashboard did not start.");
        var log = new StreamWriter(Path.Combine(logDirectory, "aspire-dashboard.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => { lock (log) log.WriteLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (log) log.WriteLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var dashboard = new AspireDashboard(process, address, otlp);
        await Eventually.WaitAsync(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The Aspire dashboard exited ({process.ExitCode}); see {logDirectory}/aspire-dashboard.log");
            try
            {
                using var response = await dashboard._api.GetAsync("/api/telemetry/resources");
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the Aspire dashboard's telemetry API", TimeSpan.FromSeconds(60));
        return dashboard;
    }

    /// <summary>The resources (services) the dashboard has heard from, by name.</summary>
    public async Task<IReadOnlyList<string>> ResourcesAsync()
    {
        using var document = JsonDocument.Parse(await _api.GetStringAsync("/api/telemetry/resources"));
        return document.RootElement.EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
    }

    /// <summary>Every span of one trace, as GET /api/telemetry/traces/{traceId} answers it (OTLP JSON); empty while unknown.</summary>
    public async Task<IReadOnlyList<DashboardSpan>> TraceAsync(string traceId)
    {
        using var response = await _api.GetAsync($"/api/telemetry/traces/{traceId}");
        if (!response.IsSuccessStatusCode)
            return [];
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var spans = new List<DashboardSpan>();
        foreach (var resource in document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = Attributes(resource.GetProperty("resource")).GetValueOrDefault("service.name") ?? "";
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            foreach (var span in scope.GetProperty("spans").EnumerateArray())
            {
                spans.Add(new DashboardSpan(service, span.GetProperty("traceId").GetString()!, span.GetProperty("spanId").GetString()!,
                    span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() ?? "" : "", span.GetProperty("name").GetString()!,
                    span.TryGetProperty("kind", out var kind) ? kind.GetInt32() : 0, Attributes(span)));
            }
        }
        return spans;
    }

    private static Dictionary<string, string?> Attributes(JsonElement element) =>
        element.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray().GroupBy(a => a.GetProperty("key").GetString()!).ToDictionary(g => g.Key, g =>
                g.First().GetProperty("value") is var value && value.ValueKind == JsonValueKind.Object && value.EnumerateObject().FirstOrDefault() is { Value: var inner }
                    ? inner.ValueKind == JsonValueKind.String ? inner.GetString() : inner.ToString()
                    : null)
            : [];

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
