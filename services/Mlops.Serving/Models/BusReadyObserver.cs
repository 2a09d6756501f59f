using MassTransit;

namespace Mlops.Serving.Models;

/// <summary>Reconciles the served models each time a receive endpoint becomes ready: at start and after every broker reconnect.</summary>
public sealed class BusReadyObserver(ModelReconciler reconciler) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        reconciler.Request();
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
