using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Scoring;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;

namespace Mlops.BatchScoring.Consumers;

/// <summary>
/// The optional last step of a pipeline run: when a run promotes a new champion of a model listed under
/// BatchScoring:ScoreAfterPromotion, that champion scores the latest feature version of its environment. The job row and its
/// ScoreBatch are written with the inbox row, so a redelivered ModelPromoted queues nothing twice.
/// </summary>
public sealed class ScoreAfterPromotionConsumer(DbSession session, BatchScoringJobs jobs, MessageAudit audit, IOptionsMonitor<BatchScoringOptions> options)
    : IConsumer<ModelPromoted>
{
    public async Task Consume(ConsumeContext<ModelPromoted> context)
    {
        var message = context.Message;
        if (!options.CurrentValue.ScoreAfterPromotion.Contains(message.ModelName, StringComparer.Ordinal))
            return;

        var jobId = NewId.NextGuid();
        var job = new ScoreBatch
        {
            JobId = jobId, CorrelationId = message.CorrelationId == Guid.Empty ? jobId : message.CorrelationId, ModelName = message.ModelName,
            Environment = message.Environment, Principal = message.Principal, ModelVersion = message.Version, Trigger = BatchScoringJobs.Pipeline,
        };
        await jobs.QueueAsync(session, job, context.CancellationToken);
        await audit.AppendAsync(session, context, message.Principal, "batch_scoring.queued", $"model:{message.ModelName}",
            $"job {jobId} (pipeline: version {message.Version} promoted)");
        await context.Publish(job, context.CancellationToken);
    }
}
