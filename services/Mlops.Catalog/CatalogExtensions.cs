using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Mlops.Catalog.Lineage;
using Mlops.Catalog.Raw;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Scoring;
using Mlops.Catalog.Tracking;
using Mlops.Hosting;

namespace Mlops.Catalog;

public static class CatalogExtensions
{
    /// <summary>
    /// The shared data plane: feature store, tracking and artifacts, model registry. A library rather than a service so
    /// that a worker's registry writes commit in the same transaction as its outbox messages, and serving reads
    /// artifacts without a network hop.
    /// </summary>
    public static IServiceCollection AddMlopsCatalog(this IServiceCollection services)
    {
        services.AddMlopsMigrations(typeof(CatalogExtensions).Assembly);
        services.AddSingleton<FeatureStore>();
        services.AddSingleton<OnlineStore>();
        services.AddSingleton<Features.Definitions.FeatureTableRegistry>();
        services.AddSingleton<RawBatches>();
        services.AddSingleton<RawTables>();
        // Resolved only by hosts with messaging (its outbox publisher): the API and the simulator.
        services.AddSingleton<RawLanding>();
        services.AddSingleton<LineageQueries>();
        services.AddSingleton<FeatureTimeTravel>();
        services.AddSingleton<ArtifactStore>();
        services.AddSingleton<TrackingStore>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<BatchScoringJobs>();
        services.AddSingleton<BatchScoringPlanner>();
        return services;
    }
}
