using System.Diagnostics;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Catalog.Features.Definitions;
using Mlops.FeatureRefresh.Refresh;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Steps;
using Mlops.Hosting.Telemetry;
using Npgsql;

namespace Mlops.FeatureRefresh.Consumers;

/// <summary>
/// Computes a feature table version from a raw batch for a pipeline run, from the table's registered YAML definition. The
/// definition and batch are found in a short read; then one transaction computes the version inside PostgreSQL
/// (<see cref="FeatureComputation"/>), checks it, and writes it with its quality verdict and the answer:
/// <see cref="FeatureTableRefreshed"/>, <see cref="DataQualityViolated"/> (nothing written but the verdict) or
/// <see cref="FeatureRefreshFailed"/> (nothing written). A run that already wrote its version gets the first answer again.
/// </summary>
public sealed class RefreshFeaturesStep(
    FeatureTableRegistry registry,
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
        if (Check(command) is { } problem)
            return Answer(Failed(command, activity, problem));

        var (answer, spec, definitionVersion, batch, sourceColumns) = await ReadAsync(command, activity, cancellationToken);
        if (answer is not null)
            return Answer(answer);
        var table = spec!.Table;
        var batchId = batch!.BatchId;
        activity?.SetTag(RefreshFeaturesConsumer.RawBatchTag, batchId.ToString());

        var schemaViolations = DataQualityChecks.CheckSchema(table.SourceTable, spec.SourceColumns, sourceColumns);
        if (schemaViolations.Count > 0)
        {
            return async (commitSession, token) =>
            {
                await featureStore.RecordQualityAsync(commitSession, table.Name, null, command.CorrelationId, [batchId], false, schemaViolations, [],
                    command.Environment, token);
                return [Violated(command, activity, table.Name, schemaViolations)];
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
            var version = await featureStore.NextVersionAsync(commitSession, table.Name, token);
            var transaction = commitSession.Transaction!;
            // The rows go in first so the checks run over them in SQL; a refused version is rolled back to here, its verdict kept.
            await transaction.SaveAsync("computed", token);
            long rows;
            try
            {
                rows = await FeatureComputation.InsertAsync(commitSession, spec, version, [batchId], command.Environment, token);
            }
            catch (PostgresException exception) when (exception.SqlState.StartsWith("22", StringComparison.Ordinal)
                || exception.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Data PostgreSQL refuses (a division by zero, a log of a negative number, a repeated entity) is this batch's fault:
                // the run stops with the reason, nothing is retried.
                await transaction.RollbackAsync("computed", token);
                var reason = exception.SqlState == PostgresErrorCodes.UniqueViolation
                    ? $"Batch {batchId} of {table.SourceTable} holds more than one row for one {table.EntityColumn}: {exception.Detail ?? exception.MessageText}"
                    : $"Computing {table.Name} from batch {batchId} failed in PostgreSQL: {exception.MessageText}.";
                return [Failed(command, activity, reason)];
            }

            var (statistics, ruleViolations) = await FeatureComputation.CheckAsync(commitSession, spec, version, qualityChecks.MaxNullRate, token);
            var violations = qualityChecks.CheckRowCount(batch, rows).Concat(ruleViolations).ToList();
            if (violations.Count > 0)
            {
                await transaction.RollbackAsync("computed", token);
                await featureStore.RecordQualityAsync(commitSession, table.Name, null, command.CorrelationId, [batchId], false, violations, statistics,
                    command.Environment, token);
                return [Violated(command, activity, table.Name, violations)];
            }

            await featureStore.RecordVersionAsync(commitSession, table.Name, version, rows, [batchId], command.CorrelationId, statistics, command.Principal,
                command.Environment, definitionVersion, token);
            await featureStore.RecordQualityAsync(commitSession, table.Name, version, command.CorrelationId, [batchId], true, [], statistics,
                command.Environment, token);

            activity?.SetTag(RefreshFeaturesConsumer.FeatureVersionTag, version);
            logger.LogInformation("Wrote {FeatureTable} version {Version} ({RowCount} rows from batch {BatchId}) for {ModelName} in run {RunId}",
                table.Name, version, rows, batchId, command.ModelName, command.CorrelationId);
            return [new FeatureTableRefreshed
            {
                CorrelationId = command.CorrelationId,
                ModelName = command.ModelName,
                Environment = command.Environment,
                Principal = command.Principal,
                FeatureTable = table.Name,
                FeatureVersion = version,
                RowCount = rows,
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
    /// else the table's current definition, the batch and the source table's columns now.
    /// </summary>
    private async Task<(object? Answer, FeatureTableSpec? Spec, int DefinitionVersion, RawBatch? Batch, IReadOnlyList<SourceColumn> Columns)> ReadAsync(
        RefreshFeatures command, Activity? activity, CancellationToken cancellationToken)
    {
        await session.BeginAsync(cancellationToken);
        try
        {
            if (await featureStore.FindVersionByRunAsync(session, command.FeatureTable, command.CorrelationId, cancellationToken) is { } written)
            {
                logger.LogInformation("Run {RunId} already wrote {FeatureTable} version {Version}; answering again", command.CorrelationId, command.FeatureTable,
                    written.Version);
                activity?.SetTag(RefreshFeaturesConsumer.FeatureVersionTag, written.Version);
                return (Refreshed(command, written), null, 0, null, []);
            }
            if (await featureStore.FindQualityByRunAsync(session, command.FeatureTable, command.CorrelationId, cancellationToken) is { Passed: false } rejected)
            {
                logger.LogInformation("Run {RunId} already stopped on the data quality of {FeatureTable}; answering again", command.CorrelationId,
                    command.FeatureTable);
                return (Violated(command, activity, command.FeatureTable, rejected.Violations), null, 0, null, []);
            }

            if (await registry.FindAsync(session, command.FeatureTable, cancellationToken) is not var (spec, definitionVersion))
                return (Failed(command, activity, $"Feature table '{command.FeatureTable}' has no registered definition: register its YAML with " +
                    "mlops features register --file <table>.yaml (docs/features.md)."), null, 0, null, []);
            var table = spec.Table;
            if (command.SourceTable.Length > 0 && command.SourceTable != table.SourceTable)
                return (Failed(command, activity, $"Feature table {table.Name} is computed from {table.SourceTable}, not from '{command.SourceTable}'."),
                    null, 0, null, []);

            // A restore stays the environment's current version until new data lands: recomputing from the batch it turned
            // away from would undo it. A run that names its batch computes from that batch.
            if (command.RawBatchId is null
                && await timeTravel.CurrentRestoreAsync(session, table.Name, table.SourceTable, command.Environment, cancellationToken) is { } restored)
            {
                logger.LogInformation("{FeatureTable} version {Version} in {Environment} is a restore and no batch landed since; run {RunId} uses it",
                    table.Name, restored.Version, command.Environment, command.CorrelationId);
                activity?.SetTag(RefreshFeaturesConsumer.FeatureVersionTag, restored.Version);
                return (Refreshed(command, restored), null, 0, null, []);
            }

            var sourceColumns = await FeatureTableRegistry.ColumnsAsync(session.Connection, session.Transaction, table.SourceTable, cancellationToken);
            var (batch, missing) = sourceColumns.Count == 0
                ? (null, $"Source table {table.SourceTable} does not exist.")
                : await FindBatchAsync(command, table, cancellationToken);
            return batch is null
                ? (Failed(command, activity, missing!), null, 0, null, [])
                : (null, spec, definitionVersion, batch, sourceColumns);
        }
        finally
        {
            // Read only: nothing to commit, and the computation runs in the commit's transaction.
            await session.DisposeAsync();
        }
    }

    private static StepCommit Answer(object reply) => (_, _) => Task.FromResult<IReadOnlyList<object>>([reply]);

    /// <summary>Why the command cannot be computed whatever the database holds, or null.</summary>
    private static string? Check(RefreshFeatures command)
    {
        if (!ModelName.TryParse(command.ModelName, out var model, out var error))
            return error;
        if (model!.Catalog != command.Environment)
            return $"Model {model} lives in catalog '{model.Catalog}', not in environment '{command.Environment}'.";
        if (string.IsNullOrWhiteSpace(command.Principal))
            return "RefreshFeatures names no principal: every pipeline step records who asked for it.";
        if (!SqlIdentifier.IsValid(command.FeatureTable))
            return $"'{command.FeatureTable}' is not a feature table name: use 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores.";
        return null;
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
