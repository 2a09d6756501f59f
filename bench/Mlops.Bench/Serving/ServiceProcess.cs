using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Mlops.Bench.Serving;

/// <summary>A process P5 measures (Serving or the bare endpoint) on a free loopback port, stopped with SIGTERM, killed at dispose if still running.</summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process process;

    private ServiceProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => process.Id;

    /// <summary>CPU time the process has used so far (user + system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>services/Mlops.Serving as built (its appsettings.json and logging), on the bench's database and virtual host.</summary>
    public static Task<ServiceProcess> StartServingAsync(string root, BenchInfrastructure infrastructure, string model, string spill,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        // MLOPS_BENCH_SERVING_DIR: another build of Serving (e.g. the code before a change), for before/after runs side by side.
        var directory = Environment.GetEnvironmentVariable("MLOPS_BENCH_SERVING_DIR") is { Length: > 0 } other
            ? other
            : Path.Combine(root, "services", "Mlops.Serving", "bin", "Release", "net10.0");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "Mlops.Serving.dll")]) { WorkingDirectory = directory };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__Postgres"] = infrastructure.ConnectionString;
        start.Environment["Messaging__RabbitMq__Host"] = BenchInfrastructure.RabbitHost;
        start.Environment["Messaging__RabbitMq__Port"] = BenchInfrastructure.RabbitPort.ToString();
        start.Environment["Messaging__RabbitMq__VirtualHost"] = infrastructure.VirtualHost;
        start.Environment["Serving__Models__0"] = model;
        start.Environment["Serving__InferenceLog__SpillDirectory"] = spill;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        // MLOPS_BENCH_SERVING_ENV="NAME=value;NAME=value": runtime settings to compare (e.g. DOTNET_TieredPGO=0) without rebuilding.
        foreach (var pair in (Environment.GetEnvironmentVariable("MLOPS_BENCH_SERVING_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            start.Environment[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        return StartAsync(start, port, "health/ready");
    }

    /// <summary>This bench's own <see cref="BareEndpoint"/> in a process of its own (Mlops.Bench --bare-endpoint PORT).</summary>
    public static Task<ServiceProcess> StartBareAsync(string root)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [typeof(ServiceProcess).Assembly.Location, "--bare-endpoint", port.ToString()]);
        start.Environment["DOTNET_gcServer"] = "0";
        return StartAsync(start, port, null);
    }

    private static async Task<ServiceProcess> StartAsync(ProcessStartInfo start, int port, string? readyPath)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{Path.GetFileName(start.ArgumentList[0])}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}/"));

        using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{start.ArgumentList[0]} exited with {process.ExitCode} before answering");
            try
            {
                using var response = readyPath is null ? await http.GetAsync("") : await http.GetAsync(readyPath);
                if (readyPath is null || response.IsSuccessStatusCode)
                    return service;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{start.ArgumentList[0]} did not answer within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>A CPU-sampling trace of this process for <paramref name="seconds"/> s (dotnet-trace, a global dotnet tool).</summary>
    public async Task TraceAsync(string file, int seconds)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-trace");
        var start = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-trace",
            ["collect", "-p", process.Id.ToString(), "--profile", "dotnet-common,dotnet-sampled-thread-time", "--duration", $"00:00:00:{seconds:D2}", "-o", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var trace = Process.Start(start)!;
        await trace.StandardOutput.ReadToEndAsync();
        await trace.WaitForExitAsync();
        Console.WriteLine($"P5 trace of Serving: {file}");
    }

    /// <summary>SIGTERM (Serving drains its inference log), then how many rows it logged.</summary>
    public async Task<long> StopAndCountLoggedAsync(string connectionString)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM serving.inference_log", connection);
        return Convert.ToInt64(await count.ExecuteScalarAsync());
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
