namespace Mlops.Notifications.Delivery;

/// <summary>Wakes the dispatcher when new deliveries commit, so it need not wait for its next poll.</summary>
public sealed class DeliverySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => await _signal.WaitAsync(timeout, cancellationToken);
}
