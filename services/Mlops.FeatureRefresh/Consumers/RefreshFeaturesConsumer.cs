using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Steps;

namespace Mlops.FeatureRefresh.Consumers;

/// <summary>
/// A big batch takes longer to compute than a message should stay unacknowledged or a transaction open. So this consumer
/// only records the run's refresh step as a lease, in the message's short transaction, and the message is acknowledged;
/// <see cref="RefreshFeaturesStep"/> computes in a background worker and answers through the outbox. A command re-sent
/// while the step runs is ignored; once it is done, it gets the first answer again and nothing is written.
/// </summary>
public sealed class RefreshFeaturesConsumer(DbSession session, StepStarter steps) : IConsumer<RefreshFeatures>
{
    public const string QualitySource = "feature_refresh";
    public const string FeatureTableTag = "mlops.feature_table";
    public const string FeatureVersionTag = "mlops.feature_version";
    public const string RawBatchTag = "mlops.raw_batch_id";

    public Task Consume(ConsumeContext<RefreshFeatures> context)
    {
        if (context.Message.CorrelationId == Guid.Empty)
            throw new UnrecoverableMessageException("RefreshFeatures carries no CorrelationId: without the pipeline run's id there is nobody to answer.");

        return steps.StartAsync(session, context, RefreshFeaturesStep.Name, context.Message.CorrelationId);
    }
}
