using System.Reflection;
using Mlops.Catalog.Features.Definitions;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
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
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.RegisterBundledTables)
            return;
        var assembly = typeof(BundledFeatureTables).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var yaml = await ReadAsync(assembly, resource, cancellationToken);
            // Held until the database answers, like the migrations before it: a refresh must never find its table undefined.
            for (var delay = TimeSpan.FromMilliseconds(250); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, RetryMax.Ticks)))
            {
                try
                {
                    await RegisterAsync(resource, yaml, cancellationToken);
                    break;
                }
                catch (Exception exception) when (TransientFailures.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
                {
                    LogRetrying(resource, exception.Message);
                    await Task.Delay(delay, cancellationToken);
                }
            }
        }
    }

    private async Task RegisterAsync(string resource, string yaml, CancellationToken cancellationToken)
    {
        var spec = await registry.CompileAsync(yaml, cancellationToken);
        await using var session = new DbSession(dataSource);
        await session.BeginAsync(cancellationToken);
        var registered = await registry.RegisterAsync(session, spec, yaml, Principal, cancellationToken);
        if (!registered.Changed)
            return;
        await audit.AppendAsync(session, null, Principal, "features.registered", $"features:{registered.Name}",
            $"definition version {registered.DefinitionVersion} from {resource}", cancellationToken: cancellationToken);
        await session.CommitAsync(cancellationToken);
        LogRegistered(registered.Name, registered.DefinitionVersion, resource);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot register the bundled feature table {Resource} yet, retrying: {Reason}")]
    private partial void LogRetrying(string resource, string reason);
}
