using System.ComponentModel;
using System.Diagnostics;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// Runs one trainer command to its end, its time limit or cancellation, whichever comes first; on the last two the whole
/// process tree is killed. Its stdout and stderr are read as they come (a full pipe would block it), keeping their ends.
/// </summary>
public static class TrainerProcess
{
    /// <summary>How long the output is awaited after the process ended: a descendant that escaped the tree may hold the pipes open.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(5);

    /// <param name="started">Given the pid of the process started, at once (before its output is read).</param>
    /// <param name="holdInput">Keep the process's stdin open until it ends (a watchdog in it reads end of file when this service dies); otherwise it is closed at once.</param>
    public static async Task<TrainerProcessResult> RunAsync(ProcessStartInfo start, TimeSpan timeLimit, int maxLogBytes, CancellationToken cancellationToken,
        Action<int>? started = null, bool holdInput = false)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = new Process { StartInfo = start };
        var stopwatch = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is Win32Exception or InvalidOperationException)
        {
            throw new TrainingException($"'{start.FileName}' could not be started: {exception.Message}", exception);
        }
        started?.Invoke(process.Id);
        if (!holdInput)
            process.StandardInput.Close();
        var stdout = new OutputTail(maxLogBytes);
        var stderr = new OutputTail(maxLogBytes);
        var output = Task.WhenAll(stdout.PumpAsync(process.StandardOutput.BaseStream), stderr.PumpAsync(process.StandardError.BaseStream));

        using var limit = new CancellationTokenSource(timeLimit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            timedOut = !cancellationToken.IsCancellationRequested;
        }
        var elapsed = stopwatch.Elapsed;
        if (await Task.WhenAny(output, Task.Delay(OutputGrace, CancellationToken.None)) != output)
            _ = output.ContinueWith(t => t.Exception, TaskScheduler.Default);
        cancellationToken.ThrowIfCancellationRequested();
        return new TrainerProcessResult(timedOut ? null : process.ExitCode, elapsed, stdout, stderr);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }
        process.WaitForExit(TimeSpan.FromSeconds(10));
    }
}
