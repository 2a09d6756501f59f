using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Telemetry;
using Mlops.Training.Trainers;

namespace Mlops.Training.Consumers;

/// <summary>
/// Trains, logs and registers a model version for a pipeline run, all in the message's transaction: the tracking run,
/// the content-addressed artifacts (model.json, reference_profile.json), the registry version and the ModelTrained /
/// ModelRegistered replies commit together or not at all. A command this run already answered is answered again with
/// the version it registered; a command that cannot be trained is answered with TrainingFailed and its reason.
/// </summary>
public sealed class TrainModelConsumer(
    DbSession session,
    TrainerCatalog trainers,
    ModelTraining training,
    TrackingStore tracking,
    ArtifactStore artifacts,
    ModelRegistry registry,
    IOptions<TrainingOptions> options,
    ILogger<TrainModelConsumer> logger) : IConsumer<TrainModel>
{
    public const string ModelArtifact = "model.json";

    public async Task Consume(ConsumeContext<TrainModel> context)
    {
        var message = context.Message;
        if (message.CorrelationId == Guid.Empty)
            throw new UnrecoverableMessageException("TrainModel has no CorrelationId: it belongs to no pipeline run, so no one could hear its answer.");

        using var activity = MlopsTelemetry.StartStep("train", message.CorrelationId, message.ModelName, message.Environment);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = message.CorrelationId, ["ModelName"] = message.ModelName });

        Guid? trackingRunId = null;
        try
        {
            var name = ParseName(message);
            if (await registry.FindVersionByRunAsync(session, name.FullName, message.CorrelationId, context.CancellationToken) is { } existing)
            {
                activity?.SetTag(MlopsTelemetry.ModelVersionTag, existing.Version);
                logger.LogInformation("Pipeline run {RunId} already registered {ModelName} version {Version}; answering again", message.CorrelationId,
                    name.FullName, existing.Version);
                await PublishAsync(context, existing.Version, existing.TrainingRunId, existing.Metrics, existing.ArtifactSha256, existing.TraceId);
                return;
            }

            var trainer = trainers.Find(message.Trainer);
            var parameters = new TrainingParameters(message.Parameters);
            var seed = parameters.Integer("seed", 42, 0, int.MaxValue - 1);
            var features = parameters.List("features");
            var plan = trainer.Plan(parameters);
            parameters.RejectUnread(trainer.Name);
            if (message.FeatureVersion < 1)
                throw new TrainingException($"FeatureVersion must name a feature table version (1 or more); got {message.FeatureVersion}.");

            var traceId = Activity.Current?.TraceId.ToHexString();
            trackingRunId = NewId.NextGuid();
            activity?.SetTag("mlops.training_run_id", trackingRunId);
            await tracking.StartAsync(session, new TrackingRun
            {
                RunId = trackingRunId.Value, Experiment = name.FullName, PipelineRunId = message.CorrelationId, Trainer = trainer.Name,
                CodeVersion = message.CodeVersion, Parameters = parameters.Effective, FeatureTable = message.FeatureTable,
                FeatureVersion = message.FeatureVersion, Principal = message.Principal, TraceId = traceId,
            }, context.CancellationToken);
            logger.LogInformation("Training {ModelName} with {Trainer} on {FeatureTable} v{FeatureVersion} as tracking run {TrainingRunId}",
                name.FullName, trainer.Name, message.FeatureTable, message.FeatureVersion, trackingRunId);

            var outcome = await training.RunAsync(new TrainingRequest
            {
                ModelName = name, FeatureTable = message.FeatureTable, FeatureVersion = message.FeatureVersion, Trainer = trainer.Name, Plan = plan,
                CodeVersion = message.CodeVersion, Seed = seed, Features = features, Parameters = parameters.Effective,
            }, context.CancellationToken);

            var modelSha256 = await artifacts.PutAsync(session, trackingRunId.Value, ModelArtifact, CompiledModel.Serialize(outcome.Model),
                context.CancellationToken);
            await artifacts.PutAsync(session, trackingRunId.Value, ReferenceProfile.ArtifactName,
                System.Text.Encoding.UTF8.GetBytes(CatalogJson.Serialize(outcome.Profile)), context.CancellationToken);
            await tracking.FinishAsync(session, trackingRunId.Value,
                outcome.Metrics.Concat(outcome.Diagnostics.Select(d => KeyValuePair.Create("train_" + d.Key, d.Value))).ToDictionary(),
                context.CancellationToken);

            var defaults = options.Value.DefaultsFor(name);
            var version = await registry.RegisterVersionAsync(session, new NewModelVersion
            {
                ModelName = name, Description = message.Description ?? defaults.Description, Signature = outcome.Model.Signature,
                TrainingRunId = trackingRunId.Value, ArtifactSha256 = modelSha256, CodeVersion = message.CodeVersion, Trainer = trainer.Name,
                FeatureTable = message.FeatureTable, FeatureVersion = message.FeatureVersion, RawBatchIds = outcome.FeatureVersion.RawBatchIds,
                Metrics = outcome.Metrics, PipelineRunId = message.CorrelationId, TraceId = traceId, Principal = message.Principal,
                Tags = Merge(defaults.Tags, message.Tags),
            }, context.CancellationToken);
            activity?.SetTag(MlopsTelemetry.ModelVersionTag, version);
            logger.LogInformation("Registered {ModelName} version {Version} from tracking run {TrainingRunId}, artifact {ArtifactSha256}",
                name.FullName, version, trackingRunId, modelSha256);

            await PublishAsync(context, version, trackingRunId.Value, outcome.Metrics, modelSha256, traceId);
        }
        catch (TrainingException exception)
        {
            if (trackingRunId is { } runId)
                await tracking.FailAsync(session, runId, exception.Message, context.CancellationToken);
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            logger.LogWarning("Training {ModelName} for pipeline run {RunId} failed: {Reason}", message.ModelName, message.CorrelationId, exception.Message);
            await context.Publish(new TrainingFailed
            {
                CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
                Reason = exception.Message,
            });
        }
    }

    private static ModelName ParseName(TrainModel message)
    {
        if (!ModelName.TryParse(message.ModelName, out var name, out var error))
            throw new TrainingException(error);
        if (name!.Catalog != message.Environment)
            throw new TrainingException($"Model {name} lives in catalog '{name.Catalog}', not in environment '{message.Environment}'.");
        return name;
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> defaults, IReadOnlyDictionary<string, string> tags)
    {
        var merged = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        foreach (var (key, value) in tags)
            merged[key] = value;
        return merged;
    }

    private static async Task PublishAsync(ConsumeContext<TrainModel> context, int version, Guid trainingRunId, IReadOnlyDictionary<string, double> metrics,
        string artifactSha256, string? traceId)
    {
        var message = context.Message;
        await context.Publish(new ModelTrained
        {
            CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
            TrainingRunId = trainingRunId, Metrics = metrics,
        });
        await context.Publish(new ModelRegistered
        {
            CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
            Version = version, TrainingRunId = trainingRunId, Metrics = metrics, ArtifactSha256 = artifactSha256, TraceId = traceId,
        });
    }
}
