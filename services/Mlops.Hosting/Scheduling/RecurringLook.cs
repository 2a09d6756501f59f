using Microsoft.Extensions.Hosting;

namespace Mlops.Hosting.Scheduling;

/// <summary>
/// A background loop that looks at its schedules, then sleeps until the next look is due. A failed look is reported and
/// tried again after <see cref="PauseAfterFailure"/>: a database that is down for a while must not stop the host.
/// </summary>
public abstract class RecurringLook(TimeProvider clock) : BackgroundService
{
    protected static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(30);

    protected TimeProvider Clock { get; } = clock;

    /// <summary>One look: fire whatever came due.</summary>
    protected abstract Task LookAsync(CancellationToken cancellationToken);

    /// <summary>How long to sleep after a successful look.</summary>
    protected abstract TimeSpan UntilNextLook();

    /// <summary>Reports a failed look; the loop sleeps <paramref name="pause"/> and looks again.</summary>
    protected abstract void OnLookFailed(Exception exception, TimeSpan pause);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                await LookAsync(stoppingToken);
                pause = UntilNextLook();
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                OnLookFailed(exception, PauseAfterFailure);
                pause = PauseAfterFailure;
            }

            try
            {
                await Task.Delay(pause, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
