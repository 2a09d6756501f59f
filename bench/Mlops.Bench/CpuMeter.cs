using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Mlops.Bench;

/// <summary>
/// CPU time spent between <see cref="StartAsync"/> and <see cref="StopAsync"/> by this process and by the PostgreSQL backends
/// serving the bench's database (read from /proc: the server runs on this machine), with the load average at both ends.
/// On a shared 2-core machine this, not wall-clock time, says what one operation costs.
/// </summary>
public sealed class CpuMeter
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly string _connectionString;
    private TimeSpan _processStart;
    private Dictionary<int, long> _backendsStart = [];

    private CpuMeter(string connectionString) => _connectionString = connectionString;

    public double LoadAverageAtStart { get; private set; }

    public static async Task<CpuMeter> StartAsync(string connectionString)
    {
        var meter = new CpuMeter(connectionString);
        meter.LoadAverageAtStart = LoadAverage();
        meter._backendsStart = await meter.BackendTicksAsync();
        meter._processStart = Process.GetCurrentProcess().TotalProcessorTime;
        return meter;
    }

    /// <summary>Milliseconds of CPU used since the start by this process and by the database's backends, and the load average now.</summary>
    public async Task<(double ProcessMs, double PostgresMs, double LoadAverage)> StopAsync()
    {
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _processStart).TotalMilliseconds;
        var backends = await BackendTicksAsync();
        // A backend that ended in between is missed; one that started counts from zero.
        var ticks = backends.Sum(b => b.Value - _backendsStart.GetValueOrDefault(b.Key));
        return (process, ticks * 1000 / TicksPerSecond, LoadAverage());
    }

    /// <summary>The 1-minute load average, NaN where /proc/loadavg is missing or unreadable (never a made-up 0).</summary>
    public static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float,
            CultureInfo.InvariantCulture, out var load) ? load : double.NaN;

    private async Task<Dictionary<int, long>> BackendTicksAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        var ticks = new Dictionary<int, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var pid = reader.GetInt32(0);
            if (ProcessTicks(pid) is { } used)
                ticks[pid] = used;
        }
        return ticks;
    }

    private static long? ProcessTicks(int pid)
    {
        try
        {
            // Fields after the command name (which may hold spaces): state is field 3, utime 14 and stime 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
