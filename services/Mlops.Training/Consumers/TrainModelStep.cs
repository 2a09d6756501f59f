using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Steps;
using Mlops.Hosting.Telemetry;
using Mlops.Training.Trainers;

namespace Mlops.Training.Consumers;

/// <summary>
/// Trains, logs and registers a model version for a pipeline run. The training runs with nothing open; then one transaction
/// writes the tracking run, the content-addressed artifacts (model.json or model.onnx, reference_profile.json, an external
/// trainer's stdout.txt and stderr.txt), the registry version and
/// the ModelTrained / ModelRegistered replies, or none of them. A run that already registered a version is answered again
/// with it; a command that cannot be trained is answered with TrainingFailed and its reason.
/// </summary>
public sealed class TrainModelStep(
    DbSession session,
    TrainerCatalog trainers,
    ModelTraining training,
    TrackingStore tracking,
    ArtifactStore artifacts,
    ModelRegistry registry,
    IOptions<TrainingOptions> options,
    MessageAudit audit,
    ILogger<TrainModelStep> logger) : IStepHandler<TrainModel>
{
    public const string Name = "train";

    public async Task<StepCommit> RunAsync(TrainModel message, CancellationToken cancellationToken)
    {
        // Ended by the commit: the span covers the training and the registration it leads to.
        var activity = MlopsTelemetry.StartStep("train", message.CorrelationId, message.ModelName, message.Environment);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RunId"] = message.CorrelationId, ["ModelName"] = message.ModelName });
        try
        {
            return Traced(activity, await TrainAsync(message, activity, cancellationToken));
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
    }

    private async Task<StepCommit> TrainAsync(TrainModel message, Activity? activity, CancellationToken cancellationToken)
    {
        TrackingRun? run = null;
        try
        {
            var name = ParseName(message);
            if (await FindRegisteredAsync(name, message.CorrelationId, cancellationToken) is not null)
                return (commitSession, token) => AnswerAgainAsync(commitSession, name, message, activity, token);

            var trainer = trainers.Find(message.Trainer);
            var parameters = new TrainingParameters(message.Parameters);
            var seed = parameters.Integer("seed", 42, 0, int.MaxValue - 1);
            var features = parameters.List("features");
            var plan = trainer.Plan(parameters);
            parameters.RejectUnread(trainer.Name);
            if (message.FeatureVersion < 1)
                throw new TrainingException($"FeatureVersion must name a feature table version (1 or more); got {message.FeatureVersion}.");

            var traceId = Activity.Current?.TraceId.ToHexString();
            run = new TrackingRun
            {
                RunId = NewId.NextGuid(), Experiment = name.FullName, PipelineRunId = message.CorrelationId, Trainer = trainer.Name,
                CodeVersion = message.CodeVersion, Parameters = parameters.Effective, FeatureTable = message.FeatureTable,
                FeatureVersion = message.FeatureVersion, Principal = message.Principal, TraceId = traceId,
            };
            activity?.SetTag("mlops.training_run_id", run.RunId);
            logger.LogInformation("Training {ModelName} with {Trainer} on {FeatureTable} v{FeatureVersion} as tracking run {TrainingRunId}",
                name.FullName, trainer.Name, message.FeatureTable, message.FeatureVersion, run.RunId);

            var outcome = await training.RunAsync(new TrainingRequest
            {
                ModelName = name, FeatureTable = message.FeatureTable, FeatureVersion = message.FeatureVersion, Trainer = trainer.Name, Plan = plan,
                CodeVersion = message.CodeVersion, Seed = seed, Features = features, Parameters = parameters.Effective,
            }, cancellationToken);

            var trackingRun = run;
            return (commitSession, token) => RegisterAsync(commitSession, name, message, trackingRun, outcome, activity, token);
        }
        catch (TrainingException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            logger.LogWarning("Training {ModelName} for pipeline run {RunId} failed: {Reason}", message.ModelName, message.CorrelationId, exception.Message);
            var failedRun = run;
            return async (commitSession, token) =>
            {
                if (failedRun is not null)
                {
                    await tracking.StartAsync(commitSession, failedRun, token);
                    foreach (var (artifact, content) in exception.Artifacts)
                        await artifacts.PutAsync(commitSession, failedRun.RunId, artifact, content, token);
                    await tracking.FailAsync(commitSession, failedRun.RunId, exception.Message, token);
                }
                await audit.AppendAsync(commitSession, message.CorrelationId, message.Principal, "training.finished", "run:" + message.CorrelationId,
                    exception.Message, AuditOutcomes.Failed, token);
                return [Failed(message, exception.Message)];
            };
        }
    }

    private async Task<IReadOnlyList<object>> RegisterAsync(DbSession commitSession, ModelName name, TrainModel message, TrackingRun run,
        TrainingOutcome outcome, Activity? activity, CancellationToken cancellationToken)
    {
        // Only a run registered before its lease existed could be found here; the lease itself lets one attempt commit.
        if (await registry.FindVersionByRunAsync(commitSession, name.FullName, message.CorrelationId, cancellationToken) is not null)
            return await AnswerAgainAsync(commitSession, name, message, activity, cancellationToken);

        await tracking.StartAsync(commitSession, run, cancellationToken);
        var modelSha256 = await artifacts.PutAsync(commitSession, run.RunId, ModelFormats.ArtifactName(outcome.ModelFormat), outcome.ModelArtifact,
            cancellationToken);
        foreach (var (artifact, content) in outcome.Logs)
            await artifacts.PutAsync(commitSession, run.RunId, artifact, content, cancellationToken);
        await artifacts.PutAsync(commitSession, run.RunId, ReferenceProfile.ArtifactName,
            System.Text.Encoding.UTF8.GetBytes(CatalogJson.Serialize(outcome.Profile)), cancellationToken);
        await tracking.FinishAsync(commitSession, run.RunId,
            outcome.Metrics.Concat(outcome.Diagnostics.Select(d => KeyValuePair.Create("train_" + d.Key, d.Value))).ToDictionary(),
            cancellationToken);

        var defaults = options.Value.DefaultsFor(name);
        var version = await registry.RegisterVersionAsync(commitSession, new NewModelVersion
        {
            ModelName = name, Description = message.Description ?? defaults.Description, Signature = outcome.Signature,
            TrainingRunId = run.RunId, ArtifactSha256 = modelSha256, ModelFormat = outcome.ModelFormat, CodeVersion = message.CodeVersion, Trainer = run.Trainer,
            FeatureTable = message.FeatureTable, FeatureVersion = message.FeatureVersion, RawBatchIds = outcome.FeatureVersion.RawBatchIds,
            Metrics = outcome.Metrics, PipelineRunId = message.CorrelationId, TraceId = run.TraceId, Principal = message.Principal,
            Tags = Merge(defaults.Tags, message.Tags),
        }, cancellationToken);
        activity?.SetTag(MlopsTelemetry.ModelVersionTag, version);
        // The lease lets one attempt commit: these entries are written once per run, however often the command came.
        await audit.AppendAsync(commitSession, message.CorrelationId, message.Principal, "training.finished", "run:" + message.CorrelationId,
            $"tracking run {run.RunId} with {run.Trainer}", cancellationToken: cancellationToken);
        await audit.AppendAsync(commitSession, message.CorrelationId, message.Principal, "model_version.registered", $"model:{name.FullName}@{version}",
            $"artifact {modelSha256}, code {message.CodeVersion}", cancellationToken: cancellationToken);
        logger.LogInformation("Registered {ModelName} version {Version} from tracking run {TrainingRunId}, artifact {ArtifactSha256}",
            name.FullName, version, run.RunId, modelSha256);

        return Replies(message, version, run.RunId, outcome.Metrics, modelSha256, run.TraceId);
    }

    private async Task<IReadOnlyList<object>> AnswerAgainAsync(DbSession commitSession, ModelName name, TrainModel message, Activity? activity,
        CancellationToken cancellationToken)
    {
        var existing = await registry.FindVersionByRunAsync(commitSession, name.FullName, message.CorrelationId, cancellationToken)
            ?? throw new InvalidOperationException($"Run {message.CorrelationId} registered {name.FullName}, then its version disappeared.");
        activity?.SetTag(MlopsTelemetry.ModelVersionTag, existing.Version);
        logger.LogInformation("Pipeline run {RunId} already registered {ModelName} version {Version}; answering again", message.CorrelationId,
            name.FullName, existing.Version);
        return Replies(message, existing.Version, existing.TrainingRunId, existing.Metrics, existing.ArtifactSha256, existing.TraceId);
    }

    /// <summary>Looks in a short read of its own: the work that follows holds no connection.</summary>
    private async Task<ModelVersion?> FindRegisteredAsync(ModelName name, Guid runId, CancellationToken cancellationToken)
    {
        await session.BeginAsync(cancellationToken);
        try
        {
            return await registry.FindVersionByRunAsync(session, name.FullName, runId, cancellationToken);
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    private static StepCommit Traced(Activity? activity, StepCommit commit) => async (commitSession, cancellationToken) =>
    {
        using (activity)
            return await commit(commitSession, cancellationToken);
    };

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

    private static TrainingFailed Failed(TrainModel message, string reason) => new()
    {
        CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
        Reason = reason,
    };

    private static IReadOnlyList<object> Replies(TrainModel message, int version, Guid trainingRunId, IReadOnlyDictionary<string, double> metrics,
        string artifactSha256, string? traceId) =>
    [
        new ModelTrained
        {
            CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
            TrainingRunId = trainingRunId, Metrics = metrics,
        },
        new ModelRegistered
        {
            CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
            Version = version, TrainingRunId = trainingRunId, Metrics = metrics, ArtifactSha256 = artifactSha256, TraceId = traceId,
        },
    ];
}
