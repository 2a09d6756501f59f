using System.Diagnostics;
using MassTransit;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Definitions;
using Mlops.Simulator;
using Mlops.FeatureRefresh.Refresh;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Telemetry;

namespace Mlops.FeatureRefresh.Consumers;

/// <summary>
/// Computes a feature table version from a raw batch for a pipeline run. It answers with <see cref="FeatureTableRefreshed"/>,
/// <see cref="DataQualityViolated"/> (nothing written but the verdict) or <see cref="FeatureRefreshFailed"/> (nothing written).
/// A command re-sent for the same run gets the first answer again and writes nothing.
/// </summary>
public sealed class RefreshFeaturesConsumer(
    FeatureDefinitions definitions,
    FeatureStore featureStore,
    RawBatches rawBatches,
    DataQualityChecks qualityChecks,
    DbSession session,
    ILogger<RefreshFeaturesConsumer> logger) : IConsumer<RefreshFeatures>
{
    public const string QualitySource = "feature_refresh";
    public const string FeatureTableTag = "mlops.feature_table";
    public const string FeatureVersionTag = "mlops.feature_version";
    public const string RawBatchTag = "mlops.raw_batch_id";

    public async Task Consume(ConsumeContext<RefreshFeatures> context)
    {
        var command = context.Message;
        if (command.CorrelationId == Guid.Empty)
            throw new UnrecoverableMessageException("RefreshFeatures carries no CorrelationId: without the pipeline run's id there is nobody to answer.");

        using var activity = MlopsTelemetry.StartStep("compute features", command.CorrelationId, command.ModelName, command.Environment);
        activity?.SetTag(FeatureTableTag, command.FeatureTable);
        var cancellationToken = context.CancellationToken;

        var (definition, problem) = Resolve(command);
        if (definition is null)
        {
            await FailAsync(context, activity, problem!);
            return;
        }
        var table = definition.Table;

        if (await featureStore.FindVersionByRunAsync(session, table.Name, command.CorrelationId, cancellationToken) is { } written)
        {
            logger.LogInformation("Run {RunId} already wrote {FeatureTable} version {Version}; answering again", command.CorrelationId, table.Name, written.Version);
            activity?.SetTag(FeatureVersionTag, written.Version);
            await context.Publish(Refreshed(command, written), cancellationToken);
            return;
        }
        if (await featureStore.FindQualityByRunAsync(session, table.Name, command.CorrelationId, cancellationToken) is { Passed: false } rejected)
        {
            logger.LogInformation("Run {RunId} already stopped on the data quality of {FeatureTable}; answering again", command.CorrelationId, table.Name);
            await PublishViolatedAsync(context, activity, table.Name, rejected.Violations);
            return;
        }

        var sourceColumns = await RawBatchReader.ColumnsAsync(session, table.SourceTable, cancellationToken);
        var (batch, missing) = sourceColumns.Count == 0
            ? (null, $"Source table {table.SourceTable} does not exist.")
            : await FindBatchAsync(command, table, cancellationToken);
        if (batch is null)
        {
            await FailAsync(context, activity, missing!);
            return;
        }
        activity?.SetTag(RawBatchTag, batch.BatchId.ToString());

        var (frame, statistics, violations) = await ComputeAsync(definition, batch, sourceColumns, cancellationToken);
        if (frame is null || violations.Count > 0)
        {
            await featureStore.RecordQualityAsync(session, table.Name, null, command.CorrelationId, [batch.BatchId], false, violations, statistics,
                cancellationToken);
            await PublishViolatedAsync(context, activity, table.Name, violations);
            return;
        }

        try
        {
            await featureStore.EnsureTableAsync(session, table, cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            await FailAsync(context, activity, exception.Message);
            return;
        }
        var version = await featureStore.WriteVersionAsync(session, table, frame, [batch.BatchId], command.CorrelationId, statistics, command.Principal,
            cancellationToken);
        await featureStore.RecordQualityAsync(session, table.Name, version, command.CorrelationId, [batch.BatchId], true, [], statistics, cancellationToken);

        activity?.SetTag(FeatureVersionTag, version);
        logger.LogInformation("Wrote {FeatureTable} version {Version} ({RowCount} rows from batch {BatchId}) for {ModelName} in run {RunId}",
            table.Name, version, frame.RowCount, batch.BatchId, command.ModelName, command.CorrelationId);
        await context.Publish(new FeatureTableRefreshed
        {
            CorrelationId = command.CorrelationId,
            ModelName = command.ModelName,
            Environment = command.Environment,
            Principal = command.Principal,
            FeatureTable = table.Name,
            FeatureVersion = version,
            RowCount = frame.RowCount,
            RawBatchIds = [batch.BatchId],
            Statistics = statistics,
        }, cancellationToken);
    }

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

    /// <summary>The batch the command names, else the source table's latest; or why there is none.</summary>
    private async Task<(RawBatch? Batch, string? Problem)> FindBatchAsync(RefreshFeatures command, FeatureTableDefinition table,
        CancellationToken cancellationToken)
    {
        if (command.RawBatchId is not { } batchId)
        {
            var latest = await rawBatches.LatestAsync(table.SourceTable, cancellationToken);
            return latest is null ? (null, $"Source table {table.SourceTable} has no batches to compute {table.Name} from.") : (latest, null);
        }

        return await rawBatches.FindAsync(batchId, cancellationToken) switch
        {
            null => (null, $"Raw batch {batchId} does not exist."),
            { } batch when batch.SourceTable != table.SourceTable => (null, $"Raw batch {batchId} belongs to {batch.SourceTable}, not to {table.SourceTable}."),
            { } batch => (batch, null),
        };
    }

    /// <summary>The batch's feature rows and statistics and every quality violation; no frame when the schema no longer allows reading it.</summary>
    private async Task<(FeatureFrame? Frame, IReadOnlyList<FeatureStatistics> Statistics, IReadOnlyList<string> Violations)> ComputeAsync(
        IFeatureDefinition definition, RawBatch batch, IReadOnlyList<SourceColumn> sourceColumns, CancellationToken cancellationToken)
    {
        var violations = DataQualityChecks.CheckSchema(definition.Table.SourceTable, definition.SourceColumns, sourceColumns).ToList();
        if (!DataQualityChecks.CanRead(definition.SourceColumns, sourceColumns))
            return (null, [], violations);

        var rows = await RawBatchReader.ReadAsync(session, definition, batch.BatchId, cancellationToken);
        var frame = definition.Compute(rows);
        violations.AddRange(qualityChecks.CheckRows(batch, frame, definition.Table.LabelColumn));
        return (frame, FeatureStatisticsCalculator.Compute(frame), violations);
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

    private Task PublishViolatedAsync(ConsumeContext<RefreshFeatures> context, Activity? activity, string table, IReadOnlyList<string> violations)
    {
        var command = context.Message;
        logger.LogWarning("Refused {FeatureTable} for {ModelName} in run {RunId}: {Violations}", table, command.ModelName, command.CorrelationId,
            string.Join(" ", violations));
        activity?.SetStatus(ActivityStatusCode.Error, "data quality violated");
        return context.Publish(new DataQualityViolated
        {
            CorrelationId = command.CorrelationId,
            ModelName = command.ModelName,
            Environment = command.Environment,
            Principal = command.Principal,
            Source = QualitySource,
            FeatureTable = table,
            Violations = violations,
        }, context.CancellationToken);
    }

    private Task FailAsync(ConsumeContext<RefreshFeatures> context, Activity? activity, string reason)
    {
        var command = context.Message;
        logger.LogWarning("Cannot refresh {FeatureTable} for {ModelName} in run {RunId}: {Reason}", command.FeatureTable, command.ModelName,
            command.CorrelationId, reason);
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        return context.Publish(new FeatureRefreshFailed
        {
            CorrelationId = command.CorrelationId,
            ModelName = command.ModelName,
            Environment = command.Environment,
            Principal = command.Principal,
            FeatureTable = command.FeatureTable,
            Reason = reason,
        }, context.CancellationToken);
    }
}
