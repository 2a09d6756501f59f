using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mlops.Testing;

/// <summary>
/// One service as its own process, the way deploy/demo.sh runs it: started from its build output (<c>Mlops.&lt;Name&gt;.dll</c> in
/// the given directory), ready when /health/ready answers, killed with SIGKILL, restarted with the same settings.
/// Every start logs to its own file in the log directory.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _directory;
    private readonly string _logDirectory;
    private Process? _process;
    private StreamWriter? _log;
    private int _starts;

    public ServiceProcess(string name, string directory, int port, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        _directory = directory;
        Name = name;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _environment = environment;
        _logDirectory = logDirectory;
    }

    public string Name { get; }

    /// <summary>
    /// A loopback port nobody listens on right now, and never one this process handed out before: the system may offer the
    /// same free port twice in a row, and two services given one port would answer each other's readiness probes.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
                if (HandedOut.Add(port))
                    return port;
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    public int Port { get; }

    public Uri BaseAddress { get; }

    public int Kills { get; private set; }

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet", $"Mlops.{Name}.dll")
        {
            WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        start.Environment["Urls"] = BaseAddress.ToString().TrimEnd('/');

        _starts++;
        _log = new StreamWriter(Path.Combine(_logDirectory, $"{Name}.{_starts}.log")) { AutoFlush = true };
        var log = _log;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start");
        _process.OutputDataReceived += (_, line) => Write(log, line.Data);
        _process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        while (true)
        {
            if (_process is { HasExited: true })
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before it was ready; see {_logDirectory}/{Name}.{_starts}.log");
            try
            {
                using var response = await Probe.GetAsync(new Uri(BaseAddress, "health/ready"));
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (watch.Elapsed > limit)
                throw new TimeoutException($"{Name} was not ready within {limit.TotalSeconds:0} s; see {_logDirectory}/{Name}.{_starts}.log");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, nothing acknowledged that was not already.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited)
            return;
        _process.Kill();
        _process.WaitForExit();
        Kills++;
    }

    /// <summary>Starts the service again and returns how long it took to be ready.</summary>
    public async Task<TimeSpan> RestartAsync()
    {
        var watch = Stopwatch.StartNew();
        Start();
        await WaitReadyAsync();
        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()]))
                await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }
        }
        _process?.Dispose();
        if (_log is not null)
            await _log.DisposeAsync();
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The last lines of a process being torn down.
            }
        }
    }
}
