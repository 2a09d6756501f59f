using System.Reflection;
using Mlops.Catalog.Features.Definitions;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mlops.FeatureRefresh.Refresh;

/// <summary>
/// Registers the example feature tables that ship with the service (examples/features/*.yaml, embedded) once migrations
/// ran, so the churn pipeline works on a fresh database. Registering is idempotent: an unchanged file changes nothing, and
/// a changed one becomes the table's next definition version, audited like one registered through the API.
/// </summary>
public sealed partial class BundledFeatureTables(FeatureTableRegistry registry, NpgsqlDataSource dataSource, MessageAudit audit,
    IOptions<FeatureRefreshOptions> options, ILogger<BundledFeatureTables> logger) : IHostedService
{
    public const string Principal = "system:feature-refresh";
    private const string ResourcePrefix = "features/";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RegisterBundledTables)
            return;
        var assembly = typeof(BundledFeatureTables).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var yaml = await ReadAsync(assembly, resource, cancellationToken);
            var spec = await registry.CompileAsync(yaml, cancellationToken);
            await using var session = new DbSession(dataSource);
            await session.BeginAsync(cancellationToken);
            var registered = await registry.RegisterAsync(session, spec, yaml, Principal, cancellationToken);
            if (registered.Changed)
                await audit.AppendAsync(session, null, Principal, "features.registered", $"features:{registered.Name}",
                    $"definition version {registered.DefinitionVersion} from {resource}", cancellationToken: cancellationToken);
            await session.CommitAsync(cancellationToken);
            if (registered.Changed)
                LogRegistered(registered.Name, registered.DefinitionVersion, resource);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<string> ReadAsync(Assembly assembly, string resource, CancellationToken cancellationToken)
    {
        await using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered feature table {FeatureTable} definition version {DefinitionVersion} from {Resource}")]
    private partial void LogRegistered(string featureTable, int definitionVersion, string resource);
}
