using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Telemetry;
using Npgsql;

namespace Mlops.Hosting.Steps;

/// <summary>
/// Takes the leases of one step and works them: the handler runs with no transaction and no message open while a heartbeat
/// renews the lease; then one short transaction completes the lease (compare-and-swap on the attempt), writes the results
/// and publishes the replies through the outbox. A worker that dies leaves its lease to expire, and the step is taken again
/// by whichever instance comes first; one that stops gives its lease back at once. Transient failures are retried with
/// capped backoff for ever; any other failure sets the step aside as failed with its reason, and the others go on.
/// </summary>
public sealed partial class StepWorker<TCommand>(
    StepRegistration<TCommand> registration,
    IServiceScopeFactory scopes,
    StepLeaseStore store,
    StepSignal signal,
    ProducerName service,
    IOptions<StepOptions> options,
    ILogger<StepWorker<TCommand>> logger) : BackgroundService
    where TCommand : class
{
    // Names the instance in steps.step_leases.owner: which service on which machine and process, and which start of it.
    private readonly string _owner = $"{service.Value}@{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    private StepOptions Options => options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, registration.Concurrency).Select(slot => Task.Run(() => LoopAsync(slot, stoppingToken), CancellationToken.None)));

    private async Task LoopAsync(int slot, CancellationToken stoppingToken)
    {
        var failures = 0;
        var nextCleanup = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.Next;
            var wait = Options.PollInterval;
            try
            {
                if (await store.TryTakeAsync(registration.Step, _owner, Options.LeaseDuration, stoppingToken) is { } lease)
                {
                    await WorkAsync(lease, stoppingToken);
                    failures = 0;
                    continue;
                }
                if (slot == 0 && DateTime.UtcNow >= nextCleanup)
                {
                    await store.DeleteFinishedAsync(Options.FinishedRetention, stoppingToken);
                    nextCleanup = DateTime.UtcNow + TimeSpan.FromMinutes(10);
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                wait = Backoff(failures);
                LogLeaseStoreFailed(exception, registration.Step, wait.TotalMilliseconds);
            }

            try
            {
                await wake.WaitAsync(wait, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WorkAsync(StepLease lease, CancellationToken stoppingToken)
    {
        // The step continues the trace of the command that recorded it.
        var parent = lease.TraceParent is { } id && ActivityContext.TryParse(id, null, out var context) ? context : default;
        using var activity = MlopsTelemetry.Source.StartActivity("leased step", ActivityKind.Internal, parent);
        activity?.SetTag(MlopsTelemetry.StepTag, lease.Step).SetTag(MlopsTelemetry.RunIdTag, lease.RunId.ToString()).SetTag("mlops.step_attempt", lease.Attempt);
        LogTaken(lease.Step, lease.RunId, lease.Attempt, lease.Owner);

        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var heartbeat = HeartbeatAsync(lease, work);
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var handler = scope.ServiceProvider.GetRequiredService<IStepHandler<TCommand>>();
                var commit = await handler.RunAsync(StepMessages.Deserialize<TCommand>(lease.Command), work.Token);
                if (Options.FaultInjection.ExtraWorkDuration > TimeSpan.Zero)
                {
                    LogFaultInjected(lease.Step, lease.RunId, Options.FaultInjection.ExtraWorkDuration.TotalSeconds);
                    await Task.Delay(Options.FaultInjection.ExtraWorkDuration, work.Token);
                }
                // Finished work is committed even when the host is stopping: the commit is short, the work may have taken an hour,
                // and a lease lost meanwhile is caught by the compare-and-swap.
                await CommitAsync(lease, commit, CancellationToken.None);
            }
            LogCompleted(lease.Step, lease.RunId, lease.Attempt);
        }
        catch (StepLeaseLostException exception)
        {
            LogLeaseLost(exception, lease.Step, lease.RunId, lease.Attempt);
        }
        catch (OperationCanceledException) when (work.IsCancellationRequested)
        {
            if (stoppingToken.IsCancellationRequested)
            {
                // Stopping: give the lease back so another instance (or this one after restart) goes on without waiting for it to expire.
                await TryAsync(() => store.ReleaseAsync(lease, TimeSpan.Zero, "the worker stopped", CancellationToken.None), lease);
                LogReleased(lease.Step, lease.RunId, lease.Attempt);
                throw;
            }
            LogLeaseLost(null, lease.Step, lease.RunId, lease.Attempt);
        }
        catch (Exception exception) when (IsTransient(exception))
        {
            var delay = Backoff(lease.Attempt);
            LogTransientFailure(exception, lease.Step, lease.RunId, lease.Attempt, delay.TotalMilliseconds);
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            await TryAsync(() => store.ReleaseAsync(lease, delay, exception.Message, CancellationToken.None), lease);
        }
        catch (Exception exception)
        {
            LogSetAside(exception, lease.Step, lease.RunId, lease.Attempt);
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            await TryAsync(() => store.FailAsync(lease, $"{exception.GetType().Name}: {exception.Message}", CancellationToken.None), lease);
        }
        finally
        {
            await work.CancelAsync();
            await heartbeat;
        }
    }

    private async Task CommitAsync(StepLease lease, StepCommit commit, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        var publisher = scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session);
        await session.BeginAsync(cancellationToken);
        try
        {
            await store.CompleteAsync(session, lease, cancellationToken);
            var replies = await commit(session, cancellationToken);
            foreach (var reply in replies)
                await publisher.Publish(reply, reply.GetType(), cancellationToken);
            await store.SaveRepliesAsync(session, lease, StepMessages.SerializeReplies(replies), cancellationToken);
            await session.CommitAsync(cancellationToken);
        }
        catch
        {
            await session.RollbackAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Renews the lease until the work ends; a lease found taken over cancels the work, whose results could no longer commit.</summary>
    private async Task HeartbeatAsync(StepLease lease, CancellationTokenSource work)
    {
        using var timer = new PeriodicTimer(Options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(work.Token))
            {
                try
                {
                    if (!await store.RenewAsync(lease, Options.LeaseDuration, work.Token))
                    {
                        await work.CancelAsync();
                        return;
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The lease may still be ours: try again at the next beat; completion is a compare-and-swap whatever happens here.
                    LogHeartbeatFailed(exception, lease.Step, lease.RunId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TryAsync(Func<Task> action, StepLease lease)
    {
        try
        {
            await action();
        }
        catch (Exception exception)
        {
            // The lease then simply expires and is taken again.
            LogLeaseStoreFailed(exception, lease.Step, Options.LeaseDuration.TotalMilliseconds);
        }
    }

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(Options.MaxRetryDelay.TotalMilliseconds, Options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30))));

    /// <summary>
    /// Failures another attempt may not meet: the database unreachable, timing out or shutting down, too many connections,
    /// serialization conflicts, deadlocks (the replies go to the outbox, so the broker is never called here).
    /// </summary>
    private static bool IsTransient(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } or TimeoutException or SocketException or IOException => true,
        PostgresException { SqlState: "40001" or "40P01" or "53300" or "57P01" or "57P02" or "57P03" } => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Took step {Step} of run {RunId} (attempt {Attempt}, {Owner})")]
    private partial void LogTaken(string step, Guid runId, int attempt, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Completed step {Step} of run {RunId} (attempt {Attempt})")]
    private partial void LogCompleted(string step, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection: step {Step} of run {RunId} works {Seconds} s longer (Steps:FaultInjection:ExtraWorkDuration)")]
    private partial void LogFaultInjected(string step, Guid runId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on step {Step} of run {RunId} (attempt {Attempt}); another attempt owns it, nothing committed")]
    private partial void LogLeaseLost(Exception? exception, string step, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gave back the lease on step {Step} of run {RunId} (attempt {Attempt}): stopping")]
    private partial void LogReleased(string step, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {Step} of run {RunId} failed transiently (attempt {Attempt}); due again in {DelayMilliseconds} ms")]
    private partial void LogTransientFailure(Exception exception, string step, Guid runId, int attempt, double delayMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {Step} of run {RunId} failed (attempt {Attempt}) and is set aside; a new command for the run tries it again")]
    private partial void LogSetAside(Exception exception, string step, Guid runId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of step {Step} of run {RunId} failed; trying again at the next beat")]
    private partial void LogHeartbeatFailed(Exception exception, string step, Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step leases of {Step} could not be read or written; next try in {DelayMilliseconds} ms")]
    private partial void LogLeaseStoreFailed(Exception exception, string step, double delayMilliseconds);
}
