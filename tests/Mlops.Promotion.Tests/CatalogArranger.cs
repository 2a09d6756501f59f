using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Hosting.Data;

namespace Mlops.Promotion.Tests;

/// <summary>
/// Writes what Feature Refresh and Training would have: feature versions, tracking runs, artifacts, registered versions, aliases;
/// in sessions of <c>newSession</c> (the owner's: no one service writes all of it).
/// </summary>
public sealed class CatalogArranger(IServiceProvider services, Func<DbSession> newSession)
{
    public async Task<int> WriteFeaturesAsync(FeatureFrame frame)
    {
        var features = services.GetRequiredService<FeatureStore>();
        return await InSessionAsync(async session =>
        {
            await features.EnsureTableAsync(session, ChurnData.Table);
            return await features.WriteVersionAsync(session, ChurnData.Table, frame, [Guid.NewGuid()], null, [], "test");
        });
    }

    /// <summary>Registers <paramref name="document"/> as the next version; its tracking run records <paramref name="seed"/> when given.</summary>
    public Task<RegisteredVersion> RegisterAsync(string modelName, ModelDocument document, int featureVersion, int? seed) =>
        RegisterAsync(modelName, document, featureVersion, seed, CompiledModel.Serialize(document));

    /// <summary>Registers a version whose artifact holds <paramref name="artifact"/>, whatever that is.</summary>
    public async Task<RegisteredVersion> RegisterAsync(string modelName, ModelDocument document, int featureVersion, int? seed, byte[] artifact)
    {
        var (version, sha256) = await RegisterAsync(modelName, document.Signature, featureVersion, seed, ModelFormats.Portable, artifact);
        return new RegisteredVersion(modelName, version, sha256, document, featureVersion);
    }

    /// <summary>Registers an artifact of <paramref name="format"/> as the next version; its tracking run records <paramref name="seed"/> when given.</summary>
    public Task<(int Version, string ArtifactSha256)> RegisterAsync(string modelName, ModelSignature signature, int featureVersion, int? seed, string format,
        byte[] artifact) =>
        InSessionAsync(async session =>
        {
            var runId = Guid.NewGuid();
            await services.GetRequiredService<TrackingStore>().StartAsync(session, new TrackingRun
            {
                RunId = runId, Experiment = modelName, Trainer = "logistic_regression", CodeVersion = "3f2c1ab",
                Parameters = seed is { } s ? new Dictionary<string, string> { ["seed"] = s.ToString() } : new Dictionary<string, string>(),
                FeatureTable = ChurnData.Table.Name, FeatureVersion = featureVersion, Principal = "test",
            });
            var sha256 = await services.GetRequiredService<ArtifactStore>().PutAsync(session, runId, ModelFormats.ArtifactName(format), artifact);
            var version = await services.GetRequiredService<ModelRegistry>().RegisterVersionAsync(session, new NewModelVersion
            {
                ModelName = ModelName.Parse(modelName), Signature = signature, TrainingRunId = runId, ArtifactSha256 = sha256, ModelFormat = format,
                CodeVersion = "3f2c1ab", Trainer = "logistic_regression", FeatureTable = ChurnData.Table.Name, FeatureVersion = featureVersion,
                RawBatchIds = [Guid.NewGuid()], Metrics = new Dictionary<string, double>(), Principal = "test",
            });
            return (version, sha256);
        });

    public Task SetChampionAsync(string modelName, int version, int? expected) =>
        InSessionAsync(async session =>
        {
            await services.GetRequiredService<ModelRegistry>().SetAliasAsync(session, modelName, ModelAliases.Champion, version, expected, "test", "arranged");
            return 0;
        });

    public Task ArchiveAsync(string modelName, int version) =>
        InSessionAsync(async session =>
        {
            await services.GetRequiredService<ModelRegistry>().ArchiveAsync(session, modelName, version);
            return 0;
        });

    private async Task<T> InSessionAsync<T>(Func<DbSession, Task<T>> work)
    {
        await using var session = newSession();
        await session.BeginAsync();
        var result = await work(session);
        await session.CommitAsync();
        return result;
    }
}
