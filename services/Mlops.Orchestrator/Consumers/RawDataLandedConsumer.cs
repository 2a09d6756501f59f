using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Raw;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Consumers;

/// <summary>
/// A batch landed: a trigger for every model of that environment that trains on that table and whose OnNewData policy
/// retrains on it (RetrainUntilChampion: only while the registry knows no champion of the model). The event is first held
/// against the batch it announces; one that does not match (no such batch, another table, environment or row count) is
/// dead-lettered with the reason at once, since no retry can make it match.
/// </summary>
public sealed class RawDataLandedConsumer(PipelineAdmission admission, ModelRegistry registry, DbSession session, IOptionsMonitor<PipelineOptions> options)
    : IConsumer<RawDataLanded>
{
    public async Task Consume(ConsumeContext<RawDataLanded> context)
    {
        var batch = context.Message;
        if (await LandedBatchCheck.MismatchAsync(session, batch, context.CancellationToken) is { } mismatch)
            throw new UnrecoverableMessageException(mismatch);

        var trigger = new PipelineTrigger
        {
            Kind = TriggerKind.RawDataLanded,
            MessageId = context.MessageId!.Value,
            ModelName = null,
            Environment = batch.Environment,
            Principal = batch.Principal,
            Detail = $"batch {batch.BatchId} of {batch.SourceTable}: {batch.RowCount} rows",
            RawBatchId = batch.BatchId,
        };

        // Ordered by name, so two batches that concern the same models lock their lanes in the same order and never deadlock.
        var models = options.CurrentValue.Models
            .Where(m => NewDataRules.Concerns(m, batch.SourceTable, batch.Environment))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();

        if (models.Count == 0)
        {
            await admission.RecordUnclaimedAsync(session, trigger, $"No model in {batch.Environment} retrains on new data from {batch.SourceTable}.", context.CancellationToken);
            return;
        }

        foreach (var model in models)
        {
            var champion = NewDataRules.NeedsChampion(model)
                ? await registry.FindAliasAsync(session, model.Name, ModelAliases.Champion, context.CancellationToken)
                : null;

            if (NewDataRules.ReasonToDecline(model, champion) is { } reason)
                await admission.DeclineAsync(session, trigger with { ModelName = model.Name }, reason, context.CancellationToken);
            else
                await admission.AdmitAsync(session, context, trigger with { ModelName = model.Name }, context.CancellationToken);
        }
    }
}
