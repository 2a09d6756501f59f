using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;

namespace Mlops.Simulator;

public static class SimulatorExtensions
{
    /// <summary>The upstream simulator's lander; the host also needs AddMlopsDefaults and AddMlopsMessaging (for the outbox).</summary>
    public static IServiceCollection AddMlopsSimulator(this IServiceCollection services)
    {
        services.AddMlopsCatalog();
        services.AddSingleton<RawDataLander>();
        return services;
    }
}
