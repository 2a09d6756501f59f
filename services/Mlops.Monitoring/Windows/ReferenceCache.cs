using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Hosting.Data;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// The prepared reference of every version seen, read once from monitoring.reference_profiles: a version's profile never
/// changes once captured. A version without a usable profile is not cached, so a profile captured later is picked up.
/// </summary>
public sealed class ReferenceCache(ILogger<ReferenceCache> logger)
{
    private readonly ConcurrentDictionary<(string Model, int Version), MonitoredVersion> versions = new();

    /// <summary>The version's prepared reference, or null (logged) when it has none or one that cannot be used.</summary>
    public async Task<MonitoredVersion?> GetAsync(DbSession session, string modelName, int version, CancellationToken cancellationToken)
    {
        if (versions.TryGetValue((modelName, version), out var cached))
            return cached;

        var json = await session.Connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT profile::text FROM monitoring.reference_profiles WHERE model_name = @ModelName AND version = @Version
            """, new { ModelName = modelName, Version = version }, session.Transaction, cancellationToken: cancellationToken));
        if (json is null)
        {
            logger.LogWarning("{ModelName} v{Version} has no reference profile: its predictions cannot be monitored", modelName, version);
            return null;
        }

        try
        {
            var prepared = MonitoredVersion.From(modelName, version, CatalogJson.Deserialize<ReferenceProfile>(json));
            return versions.GetOrAdd((modelName, version), prepared);
        }
        catch (Exception exception) when (exception is ArgumentException or JsonException)
        {
            logger.LogError(exception, "The reference profile of {ModelName} v{Version} cannot be used: {Reason}", modelName, version, exception.Message);
            return null;
        }
    }
}
