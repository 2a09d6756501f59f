using Mlops.Hosting.Messaging;

namespace Mlops.Orchestrator;

public static class OrchestratorExtensions
{
    /// <summary>Everything the orchestrator service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddOrchestratorService(this IHostApplicationBuilder builder)
    {
        builder.AddMlopsMessaging(bus =>
        {
        });
        return builder;
    }
}
