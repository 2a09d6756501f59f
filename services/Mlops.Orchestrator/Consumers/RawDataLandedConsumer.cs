using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Consumers;

/// <summary>A batch landed: a trigger for every model of that environment configured to retrain on new data from that table.</summary>
public sealed class RawDataLandedConsumer(PipelineAdmission admission, DbSession session, IOptionsMonitor<PipelineOptions> options)
    : IConsumer<RawDataLanded>
{
    public async Task Consume(ConsumeContext<RawDataLanded> context)
    {
        var batch = context.Message;
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
            .Where(m => m.RetrainOnNewData && m.SourceTable == batch.SourceTable && ModelName.TryParse(m.Name, out var name, out _) && name!.Catalog == batch.Environment)
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal)
            .ToList();

        if (models.Count == 0)
        {
            await admission.RecordUnclaimedAsync(session, trigger, $"No model in {batch.Environment} retrains on new data from {batch.SourceTable}.", context.CancellationToken);
            return;
        }

        foreach (var model in models)
            await admission.AdmitAsync(session, context, trigger with { ModelName = model }, context.CancellationToken);
    }
}
