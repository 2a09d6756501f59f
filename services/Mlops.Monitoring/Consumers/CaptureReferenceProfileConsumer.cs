using System.Text;
using Dapper;
using MassTransit;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Monitoring.Consumers;

/// <summary>
/// Keeps the reference distributions Training captured for every new version, so that monitoring has its baseline the
/// moment a version could start serving. The profile is read from the version's verified artifact.
/// </summary>
public sealed class CaptureReferenceProfileConsumer(DbSession session, ArtifactStore artifacts, MessageAudit audit, ILogger<CaptureReferenceProfileConsumer> logger)
    : IConsumer<ModelRegistered>
{
    public async Task Consume(ConsumeContext<ModelRegistered> context)
    {
        var message = context.Message;
        using var activity = MlopsTelemetry.StartStep("capture reference profile", message.CorrelationId, message.ModelName, message.Environment,
            message.Version);

        var sha256 = await artifacts.FindAsync(message.TrainingRunId, ReferenceProfile.ArtifactName, context.CancellationToken);
        if (sha256 is null)
        {
            logger.LogWarning("Version {Version} of {ModelName} has no {Artifact}: it cannot be monitored for drift",
                message.Version, message.ModelName, ReferenceProfile.ArtifactName);
            return;
        }

        var profile = CatalogJson.Deserialize<ReferenceProfile>(Encoding.UTF8.GetString(await artifacts.GetAsync(sha256, context.CancellationToken)));
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO monitoring.reference_profiles (model_name, version, artifact_sha256, profile)
            VALUES (@ModelName, @Version, @Sha256, @Profile::jsonb)
            ON CONFLICT (model_name, version) DO NOTHING
            """, new { message.ModelName, message.Version, Sha256 = sha256, Profile = CatalogJson.Serialize(profile) },
            session.Transaction, cancellationToken: context.CancellationToken));
        await audit.AppendAsync(session, context, message.Principal, "reference_profile.captured", $"model:{message.ModelName}@{message.Version}",
            $"{profile.Features.Count} features, {profile.RowCount} rows");

        logger.LogInformation("Captured the reference profile of {ModelName} v{Version}: {Features} features, {Rows} rows",
            message.ModelName, message.Version, profile.Features.Count, profile.RowCount);
    }
}
