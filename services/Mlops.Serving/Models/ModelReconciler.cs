using Microsoft.Extensions.Options;

namespace Mlops.Serving.Models;

/// <summary>
/// Keeps the served versions equal to the registry aliases even when an alias-change message never arrives (the swap queue
/// is per instance and temporary: messages published while it is being re-created are not delivered): reconciles every
/// ReconcileInterval and whenever a receive endpoint becomes ready, i.e. at every bus (re)connect.
/// </summary>
public sealed class ModelReconciler(ServedModels models, IOptions<ServingOptions> options) : BackgroundService
{
    private readonly SemaphoreSlim _requested = new(0, 1);

    /// <summary>Asks for a reconcile as soon as possible.</summary>
    public void Request()
    {
        try
        {
            _requested.Release();
        }
        catch (SemaphoreFullException)
        {
            // One is already pending.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ReconcileInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _requested.WaitAsync(interval, stoppingToken);
                await models.ReconcileAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _requested.Dispose();
        base.Dispose();
    }
}
