using System.Diagnostics;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Definitions;
using Mlops.FeatureRefresh.Refresh;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Steps;
using Mlops.Hosting.Telemetry;
using Mlops.Simulator;

namespace Mlops.FeatureRefresh.Consumers;

/// <summary>
/// Computes a feature table version from a raw batch for a pipeline run. The batch is read in a short read-only transaction
/// and computed with nothing open; then one transaction writes the version and its quality verdict with the answer:
/// <see cref="FeatureTableRefreshed"/>, <see cref="DataQualityViolated"/> (nothing written but the verdict) or
/// <see cref="FeatureRefreshFailed"/> (nothing written). A run that already wrote its version gets the first answer again.
/// </summary>
public sealed class RefreshFeaturesStep(
    FeatureDefinitions definitions,
    FeatureStore featureStore,
    FeatureTimeTravel timeTravel,
    RawBatches rawBatches,
    DataQualityChecks qualityChecks,
    DbSession session,
    MessageAudit audit,
    ILogger<RefreshFeaturesStep> logger) : IStepHandler<RefreshFeatures>
{
    public const string Name = "refresh_features";

    public async Task<StepCommit> RunAsync(RefreshFeatures command, CancellationToken cancellationToken)
    {
        // Ended by the commit: the span covers the computation and the write it leads to.
        var activity = MlopsTelemetry.StartStep("compute features", command.CorrelationId, command.ModelName, command.Environment);
        activity?.SetTag(RefreshFeaturesConsumer.FeatureTableTag, command.FeatureTable);
        try
        {
            var commit = await ComputeAsync(command, activity, cancellationToken);
            return async (commitSession, token) =>
            {
                using (activity)
                {
                    var replies = await commit(commitSession, token);
                    await AuditAsync(commitSession, command, replies, token);
                    return replies;
                }
            };
        }
        catch
        {
            activity?.Dispose();
            throw;
        }
    }

    private async Task<StepCommit> ComputeAsync(RefreshFeatures command, Activity? activity, CancellationToken cancellationToken)
    {
        var (definition, problem) = Resolve(command);
        if (definition is null)
            return Answer(Failed(command, activity, problem!));
        var table = definition.Table;

        var (answer, batch, sourceColumns, rows) = await ReadAsync(command, definition, activity, cancellationToken);
        if (answer is not null)
            return Answer(answer);
        var batchId = batch!.BatchId;
        activity?.SetTag(RefreshFeaturesConsumer.RawBatchTag, batchId.ToString());

        var violations = DataQualityChecks.CheckSchema(table.SourceTable, definition.SourceColumns, sourceColumns).ToList();
        var frame = rows is null ? null : definition.Compute(rows);
        if (frame is not null)
            violations.AddRange(qualityChecks.CheckRows(batch, frame, table.LabelColumn));
        IReadOnlyList<FeatureStatistics> statistics = frame is null ? [] : FeatureStatisticsCalculator.Compute(frame);

        if (frame is not { } computed || violations.Count > 0)
        {
            return async (commitSession, token) =>
            {
                await featureStore.RecordQualityAsync(commitSession, table.Name, null, command.CorrelationId, [batchId], false, violations, statistics,
                    command.Environment, token);
                return [Violated(command, activity, table.Name, violations)];
            };
        }

        return async (commitSession, token) =>
        {
            try
            {
                await featureStore.EnsureTableAsync(commitSession, table, token);
            }
            catch (InvalidOperationException exception)
            {
                return [Failed(command, activity, exception.Message)];
            }
            var version = await featureStore.WriteVersionAsync(commitSession, table, computed, [batchId], command.CorrelationId, statistics,
                command.Principal, command.Environment, token);
            await featureStore.RecordQualityAsync(commitSession, table.Name, version, command.CorrelationId, [batchId], true, [], statistics,
                command.Environment, token);

            activity?.SetTag(RefreshFeaturesConsumer.FeatureVersionTag, version);
            logger.LogInformation("Wrote {FeatureTable} version {Version} ({RowCount} rows from batch {BatchId}) for {ModelName} in run {RunId}",
                table.Name, version, computed.RowCount, batchId, command.ModelName, command.CorrelationId);
            return [new FeatureTableRefreshed
            {
                CorrelationId = command.CorrelationId,
                ModelName = command.ModelName,
                Environment = command.Environment,
                Principal = command.Principal,
                FeatureTable = table.Name,
                FeatureVersion = version,
                RowCount = computed.RowCount,
                RawBatchIds = [batchId],
                Statistics = statistics,
            }];
        };
    }

    /// <summary>In the step's commit, which its lease lets one attempt make: one entry per run, however often the command came.</summary>
    private Task AuditAsync(DbSession commitSession, RefreshFeatures command, IReadOnlyList<object> replies, CancellationToken cancellationToken)
    {
        var (resource, detail, outcome) = replies.FirstOrDefault() switch
        {
            FeatureTableRefreshed done => ($"features:{done.FeatureTable}@{done.FeatureVersion}", $"{done.RowCount} rows for {command.ModelName}", AuditOutcomes.Succeeded),
            DataQualityViolated violated => ($"features:{command.FeatureTable}", $"data quality: {violated.Violations.Count} violations", AuditOutcomes.Failed),
            FeatureRefreshFailed failed => ($"features:{command.FeatureTable}", failed.Reason, AuditOutcomes.Failed),
            var other => ($"features:{command.FeatureTable}", other?.GetType().Name ?? "no reply", AuditOutcomes.Failed),
        };
        return audit.AppendAsync(commitSession, command.CorrelationId, command.Principal, "features.refreshed", resource, detail, outcome, cancellationToken);
    }

    /// <summary>
    /// Everything the computation needs from the database, in one short read: the answer already given to this run if any,
    /// else the batch, the source table's columns and, when the schema allows reading them, the batch's rows.
    /// </summary>
    private async Task<(object? Answer, RawBatch? Batch, IReadOnlyList<SourceColumn> Columns, RawRows? Rows)> ReadAsync(RefreshFeatures command,
        IFeatureDefinition definition, Activity? activity, CancellationToken cancellationToken)
    {
        var table = definition.Table;
        await session.BeginAsync(cancellationToken);
        try
        {
            if (await featureStore.FindVersionByRunAsync(session, table.Name, command.CorrelationId, cancellationToken) is { } written)
            {
                logger.LogInformation("Run {RunId} already wrote {FeatureTable} version {Version}; answering again", command.CorrelationId, table.Name,
                    written.Version);
                activity?.SetTag(RefreshFeaturesConsumer.FeatureVersionTag, written.Version);
                return (Refreshed(command, written), null, [], null);
            }
            if (await featureStore.FindQualityByRunAsync(session, table.Name, command.CorrelationId, cancellationToken) is { Passed: false } rejected)
            {
                logger.LogInformation("Run {RunId} already stopped on the data quality of {FeatureTable}; answering again", command.CorrelationId, table.Name);
                return (Violated(command, activity, table.Name, rejected.Violations), null, [], null);
            }

            // A restore stays the environment's current version until new data lands: recomputing from the batch it turned
            // away from would undo it. A run that names its batch computes from that batch.
            if (command.RawBatchId is null
                && await timeTravel.CurrentRestoreAsync(session, table.Name, table.SourceTable, command.Environment, cancellationToken) is { } restored)
            {
                logger.LogInformation("{FeatureTable} version {Version} in {Environment} is a restore and no batch landed since; run {RunId} uses it",
                    table.Name, restored.Version, command.Environment, command.CorrelationId);
                activity?.SetTag(RefreshFeaturesConsumer.FeatureVersionTag, restored.Version);
                return (Refreshed(command, restored), null, [], null);
            }

            var sourceColumns = await RawBatchReader.ColumnsAsync(session, table.SourceTable, cancellationToken);
            var (batch, missing) = sourceColumns.Count == 0
                ? (null, $"Source table {table.SourceTable} does not exist.")
                : await FindBatchAsync(command, table, cancellationToken);
            if (batch is null)
                return (Failed(command, activity, missing!), null, [], null);

            var rows = DataQualityChecks.CanRead(definition.SourceColumns, sourceColumns)
                ? await RawBatchReader.ReadAsync(session, definition, batch.BatchId, cancellationToken)
                : null;
            return (null, batch, sourceColumns, rows);
        }
        finally
        {
            // Read only: nothing to commit, and the computation that follows holds no connection.
            await session.DisposeAsync();
        }
    }

    private static StepCommit Answer(object reply) => (_, _) => Task.FromResult<IReadOnlyList<object>>([reply]);

    /// <summary>The definition the command asks for, or why there is none.</summary>
    private (IFeatureDefinition? Definition, string? Problem) Resolve(RefreshFeatures command)
    {
        if (!ModelName.TryParse(command.ModelName, out var model, out var error))
            return (null, error);
        if (model!.Catalog != command.Environment)
            return (null, $"Model {model} lives in catalog '{model.Catalog}', not in environment '{command.Environment}'.");
        if (string.IsNullOrWhiteSpace(command.Principal))
            return (null, "RefreshFeatures names no principal: every pipeline step records who asked for it.");
        if (!SqlIdentifier.IsValid(command.FeatureTable))
            return (null, $"'{command.FeatureTable}' is not a feature table name: use 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores.");
        if (definitions.Find(command.FeatureTable) is not { } definition)
            return (null, $"Feature table '{command.FeatureTable}' is not defined; this service computes {string.Join(", ", definitions.Names)}.");
        if (command.SourceTable.Length > 0 && command.SourceTable != definition.Table.SourceTable)
            return (null, $"Feature table {definition.Table.Name} is computed from {definition.Table.SourceTable}, not from '{command.SourceTable}'.");
        return (definition, null);
    }

    /// <summary>The batch the command names, else the source table's latest, in the run's environment only; or why there is none.</summary>
    private async Task<(RawBatch? Batch, string? Problem)> FindBatchAsync(RefreshFeatures command, FeatureTableDefinition table,
        CancellationToken cancellationToken)
    {
        if (command.RawBatchId is not { } batchId)
        {
            var latest = await rawBatches.LatestAsync(table.SourceTable, command.Environment, cancellationToken);
            return latest is null
                ? (null, $"Source table {table.SourceTable} has no batches in {command.Environment} to compute {table.Name} from.")
                : (latest, null);
        }

        return await rawBatches.FindAsync(batchId, cancellationToken) switch
        {
            null => (null, $"Raw batch {batchId} does not exist."),
            { } batch when batch.SourceTable != table.SourceTable => (null, $"Raw batch {batchId} belongs to {batch.SourceTable}, not to {table.SourceTable}."),
            { } batch when batch.Environment != command.Environment => (null,
                $"Raw batch {batchId} belongs to {batch.Environment ?? "no environment"}, not to {command.Environment}: a run reads only its own environment's data."),
            { } batch => (batch, null),
        };
    }

    private static FeatureTableRefreshed Refreshed(RefreshFeatures command, FeatureTableVersion version) => new()
    {
        CorrelationId = command.CorrelationId,
        ModelName = command.ModelName,
        Environment = command.Environment,
        Principal = command.Principal,
        FeatureTable = version.TableName,
        FeatureVersion = version.Version,
        RowCount = version.RowCount,
        RawBatchIds = version.RawBatchIds,
        Statistics = version.Statistics,
    };

    private DataQualityViolated Violated(RefreshFeatures command, Activity? activity, string table, IReadOnlyList<string> violations)
    {
        logger.LogWarning("Refused {FeatureTable} for {ModelName} in run {RunId}: {Violations}", table, command.ModelName, command.CorrelationId,
            string.Join(" ", violations));
        activity?.SetStatus(ActivityStatusCode.Error, "data quality violated");
        return new DataQualityViolated
        {
            CorrelationId = command.CorrelationId,
            ModelName = command.ModelName,
            Environment = command.Environment,
            Principal = command.Principal,
            Source = RefreshFeaturesConsumer.QualitySource,
            FeatureTable = table,
            Violations = violations,
        };
    }

    private FeatureRefreshFailed Failed(RefreshFeatures command, Activity? activity, string reason)
    {
        logger.LogWarning("Cannot refresh {FeatureTable} for {ModelName} in run {RunId}: {Reason}", command.FeatureTable, command.ModelName,
            command.CorrelationId, reason);
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        return new FeatureRefreshFailed
        {
            CorrelationId = command.CorrelationId,
            ModelName = command.ModelName,
            Environment = command.Environment,
            Principal = command.Principal,
            FeatureTable = command.FeatureTable,
            Reason = reason,
        };
    }
}
